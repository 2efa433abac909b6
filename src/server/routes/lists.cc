// /v1/lists: per-tenant black, grey and white lists; an entry may be extended to the entity's
// ring in the graph.
#include "common/json_text.h"
#include "common/strings.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

StatusOr<fraud::ListKind> ListParam(const std::string& name) {
  std::optional<fraud::ListKind> kind = fraud::ParseListKind(name);
  if (!kind) {
    return InvalidArgumentError(
        "unknown list " + Quote(name) + "; expected blacklist, greylist or whitelist", "list");
  }
  return *kind;
}

StatusOr<fraud::ListEntryInput> ParseEntryInput(const json::object& body) {
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"reason", "source", "expires_at"}));
  fraud::ListEntryInput input;
  FB_ASSIGN_OR_RETURN(std::optional<std::string> reason, OptionalString(body, "reason"));
  if (!reason) return InvalidArgumentError("reason is required", "reason");
  input.reason = std::move(*reason);
  FB_ASSIGN_OR_RETURN(std::optional<std::string> source, OptionalString(body, "source"));
  if (source) {
    std::optional<fraud::ListSource> parsed = fraud::ParseListSource(*source);
    if (!parsed) {
      return InvalidArgumentError("source must be manual, rule or model, not " + Quote(*source),
                                  "source");
    }
    input.source = *parsed;
  }
  FB_ASSIGN_OR_RETURN(std::optional<std::string> expires, OptionalString(body, "expires_at"));
  if (expires) {
    StatusOr<TimeMicros> when = ParseRfc3339(*expires);
    if (!when.ok()) return InvalidArgumentError(when.status().message(), "expires_at");
    input.expires_at = *when;
  }
  return input;
}

// "blacklist/phone/tok_phone_..." once the value is known to be valid, for the audit entry.
void SetEntity(RequestContext& c, const fraud::ListStore& lists) {
  StatusOr<std::string> value = lists.CanonicalValue(c.params[1], c.params[2]);
  c.entity = c.params[0] + "/" + c.params[1] + "/" + (value.ok() ? *value : "<invalid>");
}

class ListRoutes final : public RouteGroup {
 public:
  ListRoutes(fraud::ListStore& lists, graph::GraphStore& graph) : lists_(lists), graph_(graph) {}

  std::vector<Route> Routes() override {
    static constexpr std::string_view kEntry = "/v1/lists/{list}/{entity_type}/{value}";
    return {
        {.method = "PUT", .pattern = kEntry, .mutation = Bind(this, &ListRoutes::PutEntry)},
        {.method = "GET", .pattern = kEntry, .handler = Bind(this, &ListRoutes::GetEntry)},
        {.method = "DELETE", .pattern = kEntry, .mutation = Bind(this, &ListRoutes::DeleteEntry)},
        {.method = "GET",
         .pattern = "/v1/lists/{list}/{entity_type}",
         .handler = Bind(this, &ListRoutes::ListEntries)},
    };
  }

 private:
  StatusOr<Mutation> PutEntry(RequestContext& c);
  StatusOr<Mutation> DeleteEntry(RequestContext& c);
  StatusOr<HttpResponse> GetEntry(RequestContext& c);
  StatusOr<HttpResponse> ListEntries(RequestContext& c);

  fraud::ListStore& lists_;
  graph::GraphStore& graph_;
};

StatusOr<Mutation> ListRoutes::PutEntry(RequestContext& c) {
  SetEntity(c, lists_);
  FB_ASSIGN_OR_RETURN(fraud::ListKind list, ListParam(c.params[0]));
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"extend_to_ring"}));
  bool extend = false;
  if (auto it = query.find("extend_to_ring"); it != query.end()) {
    if (it->second != "true" && it->second != "false") {
      return InvalidArgumentError("must be true or false", "extend_to_ring");
    }
    extend = it->second == "true";
  }
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_ASSIGN_OR_RETURN(fraud::ListEntryInput input, ParseEntryInput(body));
  FB_ASSIGN_OR_RETURN(fraud::ListStore::PreparedWrite write,
                      lists_.PreparePut(c.tenant, list, c.params[1], c.params[2], input, c.actor));
  if (!extend) {
    return Mutation{std::move(write.batch),
                    JsonResponse(write.created ? 201 : 200, fraud::ListEntryToJson(write.entry))};
  }
  // The entry's ring (the entity's group in the graph, when it meets the ring thresholds): every
  // other member goes on the same list, as a rule's entry naming the ring and the reason.
  const graph::EntityRef entity{write.entry.entity_type, write.entry.value};
  const auto g = graph_.For(c.tenant);
  std::optional<graph::RingInfo> ring;
  if (entity.type == "user") {
    ring = g->GroupOf(entity.id);
  } else if (std::optional<graph::EntityInfo> info = g->Entity(entity)) {
    ring = info->group;
  }
  json::array extended;
  if (ring && ring->is_ring) {
    fraud::ListEntryInput member_input = input;
    member_input.source = fraud::ListSource::kRule;
    member_input.reason =
        "ring " + ring->ring_id + " of " + entity.type + " " + entity.id + ": " + input.reason;
    for (const std::string& member : ring->members) {
      if (entity.type == "user" && member == entity.id) continue;
      FB_ASSIGN_OR_RETURN(fraud::ListStore::PreparedWrite m,
                          lists_.PreparePut(c.tenant, list, "user", member, member_input, c.actor));
      write.batch.Append(std::move(m.batch));
      extended.push_back(json::string(member));
    }
    c.entity += " ring=" + ring->ring_id + " members=" + std::to_string(extended.size());
  }
  json::object out = json::parse(fraud::ListEntryToJson(write.entry)).as_object();
  out["ring_id"] = ring && ring->is_ring ? json::value(ring->ring_id) : json::value(nullptr);
  out["extended_to"] = std::move(extended);
  return Mutation{std::move(write.batch), JsonResponse(write.created ? 201 : 200, ToJsonText(out))};
}

StatusOr<Mutation> ListRoutes::DeleteEntry(RequestContext& c) {
  SetEntity(c, lists_);
  FB_ASSIGN_OR_RETURN(fraud::ListKind list, ListParam(c.params[0]));
  FB_ASSIGN_OR_RETURN(fraud::ListStore::PreparedWrite write,
                      lists_.PrepareDelete(c.tenant, list, c.params[1], c.params[2]));
  HttpResponse response;
  response.status = 204;
  return Mutation{std::move(write.batch), std::move(response)};
}

StatusOr<HttpResponse> ListRoutes::GetEntry(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(fraud::ListKind list, ListParam(c.params[0]));
  FB_ASSIGN_OR_RETURN(std::optional<fraud::ListEntry> entry,
                      lists_.Get(c.tenant, list, c.params[1], c.params[2]));
  if (!entry) {
    return NotFoundError("no live " + c.params[0] + " entry for this " + c.params[1]);
  }
  return JsonResponse(200, fraud::ListEntryToJson(*entry));
}

StatusOr<HttpResponse> ListRoutes::ListEntries(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(fraud::ListKind list, ListParam(c.params[0]));
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"limit", "cursor"}));
  FB_ASSIGN_OR_RETURN(const int limit, IntQueryParam(query, "limit", 1, 1000, 100));
  const std::string cursor = query.contains("cursor") ? query["cursor"] : std::string();
  FB_ASSIGN_OR_RETURN(fraud::ListStore::Page page,
                      lists_.List(c.tenant, list, c.params[1], cursor, size_t(limit)));
  std::string body = R"({"entries":[)";
  for (size_t i = 0; i < page.entries.size(); ++i) {
    if (i > 0) body += ',';
    body += fraud::ListEntryToJson(page.entries[i]);
  }
  body += R"(],"next_cursor":)";
  body += page.next_cursor.empty() ? "null" : JsonString(page.next_cursor);
  body += '}';
  return JsonResponse(200, std::move(body));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeListRoutes(const RouteEnv& env) {
  return std::make_unique<ListRoutes>(*env.runtime.lists, *env.runtime.graph);
}

}  // namespace finbrain::server
