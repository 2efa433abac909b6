// The API description is valid OpenAPI for the version it declares, checked by a standard
// validator (the same one client generators build on). Run by ctest as openapi_validation_test.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";

const documentPath =
  process.env.OPENAPI_DOCUMENT ?? new URL("../../src/server/openapi.json", import.meta.url);

test("openapi.json validates against the OpenAPI schema it declares", async () => {
  const document = JSON.parse(await readFile(documentPath, "utf8"));
  assert.equal(document.openapi, "3.0.3");
  // validate() checks the document against the official JSON schema of its version and
  // resolves every $ref; it throws naming the first violation.
  const api = await SwaggerParser.validate(structuredClone(document));
  assert.ok(Object.keys(api.paths).length > 40);
});
