// The console talks to the same HTTP API as every other client, with the tenant's API key.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message);
  }
}

const KEY = "finbrain.apiKey";

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T = any>(
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; contentType?: string } = {},
): Promise<T> {
  const key = options.key ?? apiKey();
  const headers: Record<string, string> = {};
  if (key) headers["Authorization"] = `Bearer ${key}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    headers["Content-Type"] =
      options.contentType ?? (typeof body === "string" ? "text/plain" : "application/json");
  }
  const response = await fetch(path, { method, headers, body: payload });
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { code: "bad_response", message: text.slice(0, 200) } };
  }
  if (!response.ok) {
    const error = data?.error ?? {};
    if (response.status === 401 && !options.key) onUnauthorized();
    throw new ApiError(
      response.status,
      error.code ?? "error",
      error.message ?? response.statusText,
      error.field,
    );
  }
  return data as T;
}

export const get = <T = any>(path: string) => api<T>("GET", path);

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;
