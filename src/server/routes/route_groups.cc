// The registration of every domain's route group: a new domain adds its file in server/routes/
// and one line to each list below.
#include "server/internal/route.h"

namespace finbrain::server {

std::unique_ptr<RouteGroup> MakeSystemRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeAdminRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeListRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeEventRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeModelRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeFeatureRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeStrategyRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeDecisionRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeAccountRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeGraphRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeDeviceRoutes(const RouteEnv& env);
std::unique_ptr<RouteGroup> MakeServiceRoutes(const RouteEnv& env);

std::vector<std::unique_ptr<RouteGroup>> AllRouteGroups(const RouteEnv& env) {
  using Factory = std::unique_ptr<RouteGroup> (*)(const RouteEnv&);
  constexpr Factory kGroups[] = {
      &MakeSystemRoutes,  &MakeAdminRoutes,   &MakeListRoutes,     &MakeEventRoutes,
      &MakeModelRoutes,   &MakeFeatureRoutes, &MakeStrategyRoutes, &MakeDecisionRoutes,
      &MakeAccountRoutes, &MakeGraphRoutes,   &MakeDeviceRoutes,   &MakeServiceRoutes,
  };
  std::vector<std::unique_ptr<RouteGroup>> groups;
  for (Factory make : kGroups) groups.push_back(make(env));
  return groups;
}

}  // namespace finbrain::server
