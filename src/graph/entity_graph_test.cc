#include "graph/entity_graph.h"

#include <gtest/gtest.h>

#include <chrono>

namespace finbrain::graph {
namespace {

constexpr TimeMicros kDay = 86'400'000'000;
constexpr TimeMicros kStart = 1'780'000'000'000'000;

ingest::ValidatedEvent Event(const std::string& json, TimeMicros at = kStart) {
  return {.event_id = "e", .event_type = "login", .occurred_at = at, .canonical_json = json};
}

std::string Login(const std::string& user, const std::string& device, const std::string& ip) {
  return R"({"user_id":")" + user + R"(","device_id":")" + device + R"(","ip":")" + ip + R"("})";
}

std::string Application(const std::string& user, const std::string& address,
                        const std::string& contact) {
  return R"({"user_id":")" + user + R"(","application_id":"app-)" + user + R"(","address":")" +
         address + R"(","contacts":[{"phone":")" + contact + R"(","relation":"friend"}]})";
}

TEST(EntityGraph, UsersSharingDevicesAndAddressesFormARing) {
  EntityGraph g;
  for (int i = 0; i < 4; ++i) {
    const std::string u = "u" + std::to_string(i);
    g.AddEvent(Event(Login(u, i < 2 ? "d1" : "d2", "10.0.0." + std::to_string(i)), kStart + i));
    g.AddEvent(Event(Application(u, "Room 2115", "tok-9"), kStart + i));
  }
  const std::vector<RingInfo> rings = g.Rings();
  ASSERT_EQ(rings.size(), 1u);
  const RingInfo& ring = rings[0];
  EXPECT_EQ(ring.ring_id, "ring-u0");
  EXPECT_EQ(ring.members, (std::vector<std::string>{"u0", "u1", "u2", "u3"}));
  EXPECT_EQ(ring.link_types, (std::vector<std::string>{"phone", "device", "address"}));
  EXPECT_EQ(ring.links.size(), 4u);  // d1, d2, the address, the contact phone
  EXPECT_DOUBLE_EQ(ring.burstiness, 1.0);
  EXPECT_GT(ring.risk, 0.5);
  const auto group = g.GroupOf("u3");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->ring_id, "ring-u0");
  EXPECT_FALSE(g.GroupOf("nobody"));
}

TEST(EntityGraph, AnApplicationAddedAheadOfItsDeliveryCountsOnce) {
  EntityGraph g;
  g.AddEvent({.event_id = "a1",
              .event_type = "credit_application",
              .occurred_at = kStart,
              .canonical_json = Application("u1", "Home 1", "p9")});
  const ingest::ValidatedEvent second{.event_id = "a2",
                                      .event_type = "credit_application",
                                      .occurred_at = kStart + kDay,
                                      .canonical_json = Application("u2", "Home 2", "p9")};
  EXPECT_FALSE(g.GroupOf("u2"));
  g.AddEventAhead(second);  // a decision reads the group its own contacts form
  ASSERT_TRUE(g.GroupOf("u2"));
  EXPECT_EQ(g.GroupOf("u2")->members, (std::vector<std::string>{"u1", "u2"}));
  g.AddEventAhead(second);  // a retried request
  g.AddEvent(second);       // then the ingestion fan-out delivers it
  const auto link_count = [&] {
    const Subgraph sub = g.Neighborhood({"user", "u2"}, 1).value();
    for (const LinkInfo& link : sub.links) {
      if (link.to.id == "p9" || link.from.id == "p9") return link.count;
    }
    return 0u;
  };
  EXPECT_EQ(link_count(), 1u);
  EXPECT_EQ(g.UsersOf({"phone", "p9"}), 2u);
  g.AddEvent(second);  // a later, second delivery is an ordinary event again
  EXPECT_EQ(link_count(), 2u);
}

TEST(EntityGraph, AgedAccountsNamingOneContactWithinAWeekAreARing) {
  EntityGraph g;
  // Accounts registered months apart, each on its own phone and address; then, within three
  // days, five of them apply naming the same contact phone.
  for (int i = 0; i < 5; ++i) {
    const std::string u = "c" + std::to_string(i);
    g.AddEvent(Event(Login(u, "own-" + u, ""), kStart + i * 30 * kDay));
  }
  for (int i = 0; i < 4; ++i) {
    const std::string u = "c" + std::to_string(i);
    g.AddEvent(Event(Application(u, "Home " + u, "p-shared"), kStart + 200 * kDay + i * kDay));
  }
  EXPECT_TRUE(g.Rings().empty());  // four: a family's size
  g.AddEvent(Event(Application("c4", "Home c4", "p-shared"), kStart + 203 * kDay));
  const std::vector<RingInfo> rings = g.Rings();
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_EQ(rings[0].kind, "ring");
  EXPECT_EQ(rings[0].link_burst, 5u);
  EXPECT_EQ(rings[0].link_types, (std::vector<std::string>{"phone"}));
  EXPECT_LT(rings[0].burstiness, 0.5);  // the accounts are old
  // The same five naming it over five weeks are a group, not a ring.
  EntityGraph slow;
  for (int i = 0; i < 5; ++i) {
    const std::string u = "s" + std::to_string(i);
    slow.AddEvent(Event(Application(u, "Home " + u, "p-office"), kStart + i * 8 * kDay));
  }
  EXPECT_TRUE(slow.Rings().empty());
  ASSERT_TRUE(slow.GroupOf("s0"));
  EXPECT_EQ(slow.GroupOf("s0")->link_burst, 1u);
  // Six people shipping to one courier station in a week are not a ring either.
  EntityGraph courier;
  for (int i = 0; i < 6; ++i) {
    courier.AddEvent(
        Event(R"({"user_id":"b)" + std::to_string(i) + R"(","consignee_address":"Station 5"})",
              kStart + i * kDay / 24));
  }
  EXPECT_TRUE(courier.Rings().empty());
  ASSERT_TRUE(courier.GroupOf("b0"));
  EXPECT_EQ(courier.GroupOf("b0")->link_burst, 0u);
}

TEST(EntityGraph, ManyAccountsOnOneDeviceAreADeviceFarm) {
  EntityGraph g;
  for (int i = 0; i < 6; ++i) g.AddEvent(Event(Login("f" + std::to_string(i), "farm", "")));
  const std::vector<RingInfo> rings = g.Rings();
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_EQ(rings[0].kind, "device_farm");
  EXPECT_EQ(rings[0].max_device_accounts, 6u);
  // A second-hand phone (two owners) whose buyer lives with family is a chain, not a ring.
  g.AddEvent(Event(Login("seller", "used", "")));
  g.AddEvent(Event(Login("buyer", "used", "")));
  g.AddEvent(Event(R"({"user_id":"buyer","address":"Home 7"})"));
  g.AddEvent(Event(R"({"user_id":"sister","address":"Home 7"})"));
  const auto chain = g.GroupOf("sister");
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->members.size(), 3u);
  EXPECT_EQ(chain->link_types.size(), 2u);
  EXPECT_LT(chain->links_per_member, 2);
  EXPECT_EQ(chain->kind, "group");
  EXPECT_EQ(g.Rings().size(), 1u);
}

TEST(EntityGraph, AFamilySharingOneAddressIsAGroupButNotARing) {
  EntityGraph g;
  for (int i = 0; i < 3; ++i) {
    g.AddEvent(Event(R"({"user_id":"f)" + std::to_string(i) + R"(","address":"Home 1"})",
                     kStart + i * 200 * kDay));
  }
  EXPECT_TRUE(g.Rings().empty());
  const auto group = g.GroupOf("f1");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->members.size(), 3u);
  EXPECT_FALSE(group->is_ring);
  EXPECT_LT(group->burstiness, 0.5);  // joined months apart
}

TEST(EntityGraph, IpsDoNotJoinUsersButAreLinkedToTheirBlock) {
  EntityGraph g;
  g.AddEvent(Event(Login("a", "da", "1.2.3.4")));
  g.AddEvent(Event(Login("b", "db", "1.2.3.4")));
  EXPECT_FALSE(g.GroupOf("a"));
  const auto block = g.Entity({"ip", "1.2.3.0/24"});
  ASSERT_TRUE(block);
  EXPECT_EQ(block->degree, 1u);  // the address 1.2.3.4 is in it
  auto path = g.Path({"user", "a"}, {"user", "b"});
  ASSERT_TRUE(path.ok());
  ASSERT_EQ(path->size(), 2u);
  EXPECT_EQ((*path)[0].to, (EntityRef{"ip", "1.2.3.4"}));
  EXPECT_EQ((*path)[0].relations, std::vector<std::string>{"uses_ip"});
  EXPECT_EQ((*path)[1].to, (EntityRef{"user", "b"}));
  // A public Wi-Fi IP with many users is a hub: shown, not expanded.
  for (int i = 0; i < 30; ++i) g.AddEvent(Event(Login("w" + std::to_string(i), "", "9.9.9.9")));
  const auto wifi = g.Entity({"ip", "9.9.9.9"});
  ASSERT_TRUE(wifi);
  EXPECT_TRUE(wifi->hub);
  auto around = g.Neighborhood({"user", "w0"}, 2);
  ASSERT_TRUE(around.ok());
  EXPECT_EQ(around->nodes.size(), 2u);  // w0 and the IP; not the other 29, nor the /24's
}

TEST(EntityGraph, HubIdentifiersLinkNobodyEvenAfterTheFact) {
  EntityGraph g(GraphOptions{.hub_degree = 5});
  // Three users meet at an address before it turns out to be a courier station.
  for (int i = 0; i < 3; ++i) {
    g.AddEvent(
        Event(R"({"user_id":"c)" + std::to_string(i) + R"(","consignee_address":"Station"})"));
  }
  ASSERT_TRUE(g.GroupOf("c0"));
  for (int i = 3; i < 50; ++i) {
    g.AddEvent(
        Event(R"({"user_id":"c)" + std::to_string(i) + R"(","consignee_address":"Station"})"));
  }
  EXPECT_FALSE(g.GroupOf("c0"));
  const auto station = g.Entity({"address", "Station"});
  ASSERT_TRUE(station);
  EXPECT_TRUE(station->hub);
  EXPECT_EQ(station->users, 50u);
  EXPECT_EQ(g.UsersOf({"address", "Station"}), 50u);
  EXPECT_EQ(g.UsersOf({"address", "Nowhere"}), 0u);
  // A shared device still joins two of them; the hub is not crossed on the way.
  g.AddEvent(Event(Login("c1", "shared", "")));
  g.AddEvent(Event(Login("c2", "shared", "")));
  const auto group = g.GroupOf("c1");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->members, (std::vector<std::string>{"c1", "c2"}));
  auto path = g.Path({"user", "c0"}, {"user", "c9"}, 4);
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(path->empty());
}

TEST(EntityGraph, AHubLinkingAHundredThousandAccountsStaysCheap) {
  EntityGraph g;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100'000; ++i) {
    g.AddEvent(Event(R"({"user_id":"h)" + std::to_string(i) + R"(","device_id":"farm"})"));
  }
  // Generous: the point is that a hub costs one regrouping, not one per account.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_FALSE(g.GroupOf("h5"));
  auto around = g.Neighborhood({"device", "farm"}, 2, 300);
  ASSERT_TRUE(around.ok());
  EXPECT_TRUE(around->truncated);
  EXPECT_EQ(around->nodes.size(), 300u);
  auto from_user = g.Neighborhood({"user", "h7"}, 2);
  ASSERT_TRUE(from_user.ok());
  EXPECT_EQ(from_user->nodes.size(), 2u);  // the user and the hub, not expanded
}

TEST(EntityGraph, GroupsStopGrowingAtTheCap) {
  EntityGraph g(GraphOptions{.max_group_users = 10});
  // A chain of contact phones: each user names the next one's phone.
  for (int i = 0; i < 30; ++i) {
    g.AddEvent(Event(R"({"user_id":"c)" + std::to_string(i) + R"(","phone":"p)" +
                     std::to_string(i) + R"(","contacts":[{"phone":"p)" + std::to_string(i + 1) +
                     R"("}]})"));
  }
  const auto group = g.GroupOf("c0");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->members.size(), 10u);
  EXPECT_FALSE(g.GroupOf("c0")->members.empty());
  const auto next = g.GroupOf("c10");
  ASSERT_TRUE(next);
  EXPECT_LE(next->members.size(), 10u);
}

TEST(EntityGraph, NeighborhoodFollowsHopsAndRejectsBadArguments) {
  EntityGraph g;
  g.AddEvent(Event(Login("u1", "d1", "8.8.8.8")));
  g.AddEvent(Event(Login("u2", "d1", "")));
  auto one = g.Neighborhood({"user", "u1"}, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->nodes.size(), 3u);  // u1, d1, 8.8.8.8
  EXPECT_EQ(one->links.size(), 2u);
  auto two = g.Neighborhood({"user", "u1"}, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->nodes.size(), 5u);  // + u2, the /24
  EXPECT_EQ(g.Neighborhood({"user", "nobody"}, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(g.Neighborhood({"user", "u1"}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.Neighborhood({"user", "u1"}, 9).status().code(), StatusCode::kInvalidArgument);
}

TEST(EntityGraph, IgnoresEventsWithoutAUserMalformedJsonAndSelfLinks) {
  EntityGraph g;
  g.AddEvent(Event(R"({"device_id":"d1"})"));
  g.AddEvent(Event("not json"));
  g.AddEvent(Event(R"({"user_id":"","device_id":"d1"})"));
  EXPECT_EQ(g.node_count(), 0u);
  g.AddEvent(Event(R"({"user_id":"u1","payee_id":"u1","payee_type":"person"})"));
  EXPECT_EQ(g.node_count(), 1u);
  EXPECT_EQ(g.edge_count(), 0u);
  // The same link twice is one edge seen twice.
  g.AddEvent(Event(Login("u1", "d1", ""), kStart));
  g.AddEvent(Event(Login("u1", "d1", ""), kStart + kDay));
  const auto device = g.Entity({"device", "d1"});
  ASSERT_TRUE(device);
  EXPECT_EQ(device->degree, 1u);
  auto around = g.Neighborhood({"device", "d1"}, 1);
  ASSERT_TRUE(around.ok());
  ASSERT_EQ(around->links.size(), 1u);
  EXPECT_EQ(around->links[0].count, 2u);
  EXPECT_EQ(around->links[0].last_seen - around->links[0].first_seen, kDay);
}

}  // namespace
}  // namespace finbrain::graph
