// People and their everyday behaviour: registration, devices, logins, shopping with seasonal
// peaks, payments, customer-service questions, wealth profiles; families, offices, public Wi-Fi,
// courier stations and second-hand phones as honest look-alikes of fraud patterns.
#include "sim/internal/world.h"

#include <chrono>

#include "sim/internal/texts.h"

namespace finbrain::sim {
namespace {

struct City {
  const char* name;
  const char* province;
  int tier;
  int ip_a;  // first octet of the city's consumer IPs
};
const std::vector<City>& Cities() {
  static const std::vector<City> cities = {
      {"北京", "北京", 1, 36},  {"上海", "上海", 1, 58},  {"广州", "广东", 1, 113},
      {"深圳", "广东", 1, 119}, {"杭州", "浙江", 2, 115}, {"成都", "四川", 2, 171},
      {"武汉", "湖北", 2, 27},  {"南京", "江苏", 2, 49},  {"西安", "陕西", 2, 117},
      {"长沙", "湖南", 2, 175}, {"合肥", "安徽", 3, 60},  {"南昌", "江西", 3, 59},
      {"洛阳", "河南", 3, 42},  {"宜宾", "四川", 4, 182}, {"赣州", "江西", 4, 106},
      {"周口", "河南", 5, 123},
  };
  return cities;
}

struct Model {
  const char* brand;
  const char* model;
  const char* os;
  const char* screen;
};
const std::vector<Model>& Models() {
  static const std::vector<Model> models = {
      {"Apple", "iPhone 13", "iOS", "1170x2532"},
      {"Apple", "iPhone 15", "iOS", "1179x2556"},
      {"Huawei", "Mate 60", "HarmonyOS", "1260x2720"},
      {"Huawei", "nova 11", "HarmonyOS", "1084x2412"},
      {"Xiaomi", "Mi 13", "Android", "1080x2400"},
      {"Xiaomi", "Redmi Note 12", "Android", "1080x2400"},
      {"OPPO", "Reno 10", "Android", "1080x2412"},
      {"vivo", "X90", "Android", "1260x2800"},
      {"Honor", "Magic 5", "Android", "1224x2712"},
      {"OnePlus", "11", "Android", "1440x3216"},
  };
  return models;
}

const std::vector<std::string> kRoads = {"人民路", "中山路", "解放路", "建设路",
                                         "和平路", "文三路", "新华路", "长江路"};
const std::vector<std::string> kDistricts = {"东城区", "西湖区", "高新区",
                                             "朝阳区", "江北区", "开发区"};
const std::vector<std::string> kOccupations = {
    "teacher", "engineer",   "sales",   "nurse",          "driver",
    "clerk",   "shop_owner", "student", "factory_worker", "civil_servant"};
const std::vector<std::string> kEducation = {"below_high_school", "high_school", "college",
                                             "bachelor", "master"};
const std::vector<std::string> kCategories = {"electronics", "apparel", "grocery", "beauty",
                                              "home",        "books",   "baby",    "sports"};
const std::vector<std::string> kActions = {
    "view_home",    "view_bill", "view_limit",  "browse_goods", "add_to_cart",
    "apply_credit", "repay",     "view_orders", "transfer",     "edit_profile"};

std::string IpIn(Rng& rng, int a) {
  return std::to_string(a) + "." + std::to_string(rng.Int(1, 254)) + "." +
         std::to_string(rng.Int(0, 255)) + "." + std::to_string(rng.Int(2, 254));
}

std::string Address(Rng& rng, const City& city) {
  return std::string(city.province) + "省" + city.name + "市" + rng.Pick(kDistricts) +
         rng.Pick(kRoads) + std::to_string(rng.Int(1, 999)) + "号" +
         std::to_string(rng.Int(1, 30)) + "栋" + std::to_string(rng.Int(101, 2808)) + "室";
}

int MonthDay(TimeMicros t, int& month) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_time<microseconds>(microseconds(t)))};
  month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  return static_cast<int>(static_cast<unsigned>(ymd.day()));
}

}  // namespace

std::string World::UserId(int index) const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "u%07d", index);
  return buf;
}

double World::Seasonality(TimeMicros t) const {
  int month = 0;
  const int day = MonthDay(t, month);
  double factor = 1.0;
  if (month == 6 && day <= 20) factor = day == 18 ? 5.0 : (day >= 15 ? 2.5 : 1.5);  // 618
  if (month == 11 && day <= 12) factor = day == 11 ? 8.0 : (day >= 9 ? 3.0 : 1.6);  // Double 11
  if (month == 12 && day == 12) factor = 2.5;                                       // Double 12
  if (month == 2 && day >= 14 && day <= 24) factor = 0.6;    // Spring Festival
  const int weekday = static_cast<int>((t / kDay + 4) % 7);  // 1970-01-01 was a Thursday
  if (weekday == 0 || weekday == 6) factor *= 1.15;
  return factor;
}

namespace {

// Phones of one model and OS version share fonts and user-agent fingerprints.
void SetOsBuildHashes(Device& d) {
  d.fonts_hash = Rng(std::hash<std::string>()(d.model + d.os_version), 0, 0).Hex(12);
  d.ua_hash = Rng(std::hash<std::string>()(d.model + d.os_version), 1, 0).Hex(12);
}

}  // namespace

Device World::MakeDevice(Rng& rng, const std::string& id) const {
  const Model& m = rng.Pick(Models());
  Device d;
  d.id = id;
  d.brand = m.brand;
  d.model = m.model;
  d.os = m.os;
  d.os_version = std::string(m.os) == "iOS"
                     ? std::to_string(rng.Int(15, 17)) + "." + std::to_string(rng.Int(0, 6))
                     : std::to_string(rng.Int(11, 14));
  d.screen = m.screen;
  SetOsBuildHashes(d);
  d.imei_hash = rng.Hex(16);
  d.advertising_id = rng.Hex(8) + "-" + rng.Hex(4);
  d.hardware_id = id;
  // iOS never gives apps the IMEI, and Android 10+ only to privileged apps: most reports
  // lack it. Drawn from the device's own stream so the world's other numbers stay put.
  Rng traits(std::hash<std::string>()(id), kDeviceLifeStream, 0);
  if (d.os == "iOS" || traits.Chance(0.6)) d.imei_hash.clear();
  return d;
}

namespace {

void UpdateOs(Device& d, Rng& rng) {
  if (d.os == "iOS") {
    const auto dot = d.os_version.find('.');
    const int major = std::stoi(d.os_version.substr(0, dot));
    const int minor = dot == std::string::npos ? 0 : std::stoi(d.os_version.substr(dot + 1));
    d.os_version = rng.Chance(0.3) && major < 18
                       ? std::to_string(major + 1) + ".0"
                       : std::to_string(major) + "." + std::to_string(minor + 1);
  } else if (std::stoi(d.os_version) < 15) {
    d.os_version = std::to_string(std::stoi(d.os_version) + 1);
  }
  SetOsBuildHashes(d);
}

}  // namespace

void World::LiveDeviceDay(Rng& life, Person& p, TimeMicros day, const std::string& ip) {
  Device& d = p.device;
  bool report = life.Chance(1.0 / 90);  // the app's periodic check-in
  if (life.Chance(0.4 / 365)) {
    UpdateOs(d, life);
    report = true;
  }
  if (life.Chance(0.15 / 365)) {  // reinstall: a new install id and advertising id
    d.id = "d" + life.Hex(12);
    d.advertising_id = life.Hex(8) + "-" + life.Hex(4);
    report = true;
  } else if (life.Chance(0.1 / 365)) {
    d.advertising_id = life.Hex(8) + "-" + life.Hex(4);
    report = true;
  }
  if (report) EmitDeviceReport(d, p.user_id, day + life.Int(7, 22) * kHour, ip);
}

Person World::MakePerson(int index) const {
  Rng rng(config_.seed, kPersonStream, static_cast<std::uint64_t>(index));
  Person p;
  p.index = index;
  p.user_id = UserId(index);
  const City& city = Cities()[rng.Weighted({6, 6, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3})];
  p.city = city.name;
  p.province = city.province;
  p.city_tier = city.tier;
  p.phone = "1" + std::to_string(rng.Int(3, 9)) + rng.Digits(9);
  p.birth_year = rng.Int(1960, 2004);
  p.id_number = rng.Digits(6) + std::to_string(p.birth_year) + rng.Digits(7) +
                (rng.Chance(0.1) ? "X" : rng.Digits(1));
  p.gender = rng.Chance(0.5) ? "female" : "male";
  const size_t edu = rng.Weighted({2, 4, 4, 4, 1});
  p.education = kEducation[edu];
  p.occupation = rng.Pick(kOccupations);
  p.marital = rng.Chance(0.55) ? "married" : "single";
  p.email = "user" + std::to_string(index) + "@" + (rng.Chance(0.5) ? "qq.com" : "163.com");
  // Income rises with education and city tier; creditworthiness correlates with it.
  p.income = rng.LogNormal(8.6 + 0.18 * static_cast<double>(edu) - 0.08 * city.tier, 0.45);
  p.z = 0.45 * (std::log(p.income) - 8.7) / 0.5 + std::sqrt(1 - 0.45 * 0.45) * rng.Normal();
  p.activity = rng.LogNormal(std::log(0.06), 0.6);
  p.device = MakeDevice(rng, "d" + rng.Hex(12));
  p.home_ip = IpIn(rng, city.ip_a);
  p.address = Address(rng, city);
  if (p.occupation != "student" && p.occupation != "driver" && rng.Chance(0.6)) {
    // Colleagues: one office IP for each block of ~50 people of a city.
    Rng office(config_.seed, kFamilyStream, 1'000'000 + static_cast<std::uint64_t>(index / 50));
    p.office_ip = IpIn(office, city.ip_a);
  }
  // Families: blocks of up to four people share a home address and home IP.
  Rng family(config_.seed, kFamilyStream, static_cast<std::uint64_t>(index / 4));
  if (family.Chance(0.3)) {
    p.address = Address(family, city);
    p.home_ip = IpIn(family, city.ip_a);
  }
  const double window = 0.6 * config_.days;
  p.registered_at =
      config_.start + static_cast<TimeMicros>(rng.Uniform() * window * static_cast<double>(kDay));
  return p;
}

void World::EmitRegistration(const Person& p, const std::string& channel) {
  JsonLine j;
  j.Str("event_id", "reg-" + p.user_id)
      .Str("event_type", "user_registration")
      .Time("occurred_at", p.registered_at)
      .Str("user_id", p.user_id)
      .Str("phone", p.phone)
      .Str("id_number", p.id_number)
      .Str("email", p.email)
      .Str("gender", p.gender)
      .Int("birth_year", p.birth_year)
      .Str("city", p.city)
      .Int("city_tier", p.city_tier)
      .Str("province", p.province)
      .Str("education", p.education)
      .Str("occupation", p.occupation)
      .Str("marital_status", p.marital)
      .Str("channel", channel)
      .Str("device_id", p.device.id)
      .Str("ip", p.home_ip);
  out_.Event("user_registration", j.Done());
}

void World::EmitUserTruth(const Person& p) {
  JsonLine j;
  j.Str("user_id", p.user_id)
      .Real("creditworthiness", p.z)
      .Num("monthly_income", p.income)
      .Bool("fraud", p.fraud);
  if (p.fraud)
    j.Str("fraud_kind", p.fraud_kind).Int(p.fraud_kind == "ring" ? "ring" : "farm", p.group);
  out_.Truth("users", j.Done());
}

void World::EmitDeviceReport(const Device& d, const std::string& user_id, TimeMicros at,
                             const std::string& ip) {
  const std::string event_id =
      "dev-" + d.id + "-" + user_id + "-" + std::to_string(at / kMicrosPerSecond);
  JsonLine j;
  j.Str("event_id", event_id)
      .Str("event_type", "device_report")
      .Time("occurred_at", at)
      .Str("device_id", d.id)
      .Str("user_id", user_id)
      .Str("model", d.model)
      .Str("brand", d.brand)
      .Str("os", d.os)
      .Str("os_version", d.os_version)
      .Str("app_version",
           "8." + std::to_string(static_cast<int>((at - config_.start) / (60 * kDay)) % 10) + ".0")
      .Str("screen", d.screen)
      .Str("fonts_hash", d.fonts_hash)
      .Str("ua_hash", d.ua_hash)
      .Str("advertising_id", d.advertising_id)
      .Str("timezone", "Asia/Shanghai")
      .Str("language", "zh-CN")
      .Str("ip", ip)
      .Bool("is_emulator", d.emulator)
      .Bool("is_rooted", d.rooted)
      .Bool("hook_framework", d.hook)
      .Bool("vpn", d.vpn)
      .Bool("proxy", d.proxy);
  if (!d.imei_hash.empty()) j.Str("imei_hash", d.imei_hash);  // withheld by most phones
  out_.Event("device_report", j.Done());
  out_.Truth("device_reports", JsonLine()
                                   .Str("event_id", event_id)
                                   .Str("device_id", d.id)
                                   .Str("hardware_id", d.hardware_id)
                                   .Str("user_id", user_id)
                                   .Done());
}

void World::EmitLogin(Rng& rng, const Person& p, const Device& d, const std::string& ip,
                      TimeMicros at, const std::string& method, bool new_device,
                      const std::string& session_id, double median_gap_seconds) {
  std::string actions = "[";
  TimeMicros t = at;
  const int n = rng.Int(1, 5);
  for (int i = 0; i < n; ++i) {
    t += static_cast<TimeMicros>(rng.LogNormal(std::log(median_gap_seconds), 0.8) *
                                 double(kMicrosPerSecond));
    JsonLine a;
    a.Str("action", rng.Pick(kActions)).Time("at", t);
    if (i > 0) actions += ',';
    actions += a.Done();
  }
  actions += ']';
  JsonLine j;
  j.Str("event_id", "login-" + session_id)
      .Str("event_type", "login")
      .Time("occurred_at", at)
      .Str("user_id", p.user_id)
      .Str("session_id", session_id)
      .Str("device_id", d.id)
      .Str("ip", ip)
      .Str("method", method)
      .Bool("success", true)
      .Bool("new_device", new_device)
      .Raw("actions", actions);
  out_.Event("login", j.Done());
}

void World::EmitOrder(Rng& rng, const Person& p, const std::string& order_id, TimeMicros at,
                      const std::string& address, const std::string& ip) {
  const std::string& category = rng.Pick(kCategories);
  const int items = rng.Int(1, 3);
  std::string list = "[";
  double amount = 0;
  for (int i = 0; i < items; ++i) {
    const double price =
        std::round(rng.LogNormal(std::log(category == "electronics" ? 900.0 : 90.0), 0.7) * 100) /
        100;
    const int quantity = rng.Chance(0.8) ? 1 : rng.Int(2, 4);
    amount += price * quantity;
    JsonLine item;
    item.Str("sku", "sku-" + rng.Digits(5))
        .Str("category", category)
        .Num("price", price)
        .Int("quantity", quantity);
    if (i > 0) list += ',';
    list += item.Done();
  }
  list += ']';
  const bool credit = rng.Chance(0.15 + 0.1 * (p.z > 0));
  JsonLine j;
  j.Str("event_id", "order-" + order_id)
      .Str("event_type", "order")
      .Time("occurred_at", at)
      .Str("order_id", order_id)
      .Str("user_id", p.user_id)
      .Raw("items", list)
      .Num("amount", amount)
      .Str("currency", "CNY")
      .Str("category", category)
      .Str("consignee_address", address)
      .Str("consignee_phone", p.phone)
      .Str("payment_method", credit            ? "credit"
                             : rng.Chance(0.7) ? "wallet"
                                               : "card")
      .Str("device_id", p.device.id)
      .Str("ip", ip);
  out_.Event("order", j.Done());
  const bool returned = rng.Chance(0.04);
  JsonLine l;
  l.Str("event_id", "ship-" + order_id)
      .Str("event_type", "logistics_update")
      .Time("occurred_at", at + rng.Int(1, 4) * kDay + rng.Int(0, 600) * kMinute)
      .Str("order_id", order_id)
      .Str("status", returned ? "returned" : "delivered")
      .Str("carrier", rng.Chance(0.5) ? "SF" : "JD Logistics")
      .Str("location", p.city);
  out_.Event("logistics_update", l.Done());
}

void World::Run(const std::function<void(double)>& progress) {
  Rng shared(config_.seed, kFamilyStream, 99'999'999);
  for (int i = 0; i < 40; ++i) public_ips_.push_back(IpIn(shared, 223));
  for (int i = 0; i < std::max(5, config_.users / 2000); ++i) {
    courier_addresses_.push_back(
        Address(shared, Cities()[static_cast<size_t>(i) % Cities().size()]) + "菜鸟驿站");
  }
  int next_extra = config_.users;  // indices for second-hand buyers and fraudsters
  const int report_every = std::max(1, config_.users / 200);
  for (int i = 0; i < config_.users; ++i) {
    Person p = MakePerson(i);
    Rng rng(config_.seed, kActivityStream, static_cast<std::uint64_t>(i));
    EmitRegistration(p, rng.Pick(std::vector<std::string>{"app", "app", "web", "mini_program"}));
    EmitDeviceReport(p.device, p.user_id, p.registered_at + 30 * kMicrosPerSecond, p.home_ip);
    EmitUserTruth(p);

    // A second-hand phone: the owner switches phones and the old one registers a new person.
    TimeMicros handover = 0;
    Device old_device;
    if (rng.Chance(0.02)) {
      handover =
          p.registered_at +
          static_cast<TimeMicros>(rng.Uniform() * static_cast<double>(end() - p.registered_at));
    }
    Rng life(config_.seed, kDeviceLifeStream, static_cast<std::uint64_t>(i));
    int sessions = 0, orders = 0, payments = 0;
    for (TimeMicros day = p.registered_at - p.registered_at % kDay + kDay; day < end();
         day += kDay) {
      if (handover != 0 && day > handover && old_device.id.empty()) {
        old_device = p.device;
        p.device = MakeDevice(rng, "d" + rng.Hex(12));
        EmitDeviceReport(p.device, p.user_id, day + 9 * kHour, p.home_ip);
      }
      const bool at_office = !p.office_ip.empty() && life.Chance(0.3);
      LiveDeviceDay(
          life, p, day,
          life.Chance(0.1) ? life.Pick(public_ips_) : (at_office ? p.office_ip : p.home_ip));
      const double season = Seasonality(day);
      for (int n = rng.Poisson(p.activity * (0.8 + 0.2 * season)); n > 0; --n) {
        const int hour = rng.Int(7, 23);
        const bool workday = (day / kDay + 4) % 7 != 0 && (day / kDay + 4) % 7 != 6;
        std::string ip = p.home_ip;
        if (!p.office_ip.empty() && workday && hour >= 9 && hour < 18) ip = p.office_ip;
        if (rng.Chance(0.05)) ip = rng.Pick(public_ips_);
        EmitLogin(rng, p, p.device, ip, day + hour * kHour + rng.Int(0, 3599) * kMicrosPerSecond,
                  "password", false, p.user_id + "-" + std::to_string(++sessions));
      }
      for (int n = rng.Poisson(0.025 * std::sqrt(p.income / 6000.0) * season); n > 0; --n) {
        const std::string& address = rng.Chance(0.05) ? rng.Pick(courier_addresses_) : p.address;
        EmitOrder(rng, p, p.user_id + "-" + std::to_string(++orders), day + rng.Int(8, 23) * kHour,
                  address, p.home_ip);
      }
      if (rng.Chance(0.01)) {
        JsonLine j;
        const std::string id = p.user_id + "-" + std::to_string(++payments);
        j.Str("event_id", "pay-" + id)
            .Str("event_type", "payment")
            .Time("occurred_at", day + rng.Int(8, 22) * kHour)
            .Str("payment_id", id)
            .Str("user_id", p.user_id)
            .Str("payee_id", "m-" + rng.Digits(4))
            .Str("payee_type", "merchant")
            .Num("amount", rng.LogNormal(std::log(120.0), 0.9))
            .Str("currency", "CNY")
            .Str("channel", rng.Chance(0.6) ? "qr_code" : "app")
            .Str("device_id", p.device.id)
            .Str("ip", p.home_ip);
        out_.Event("payment", j.Done());
      }
    }
    if (!old_device.id.empty()) {
      Person buyer = MakePerson(next_extra++);
      // A factory reset before the sale: a new install id and advertising id, the same phone.
      buyer.device = old_device;
      buyer.device.id = "d" + life.Hex(12);
      buyer.device.advertising_id = life.Hex(8) + "-" + life.Hex(4);
      buyer.registered_at = std::min(end() - kHour, handover + rng.Int(1, 20) * kDay);
      EmitRegistration(buyer, "app");
      EmitDeviceReport(buyer.device, buyer.user_id, buyer.registered_at + kMinute, buyer.home_ip);
      EmitUserTruth(buyer);
      out_.Truth("lookalikes",
                 JsonLine()
                     .Str("kind", "second_hand_phone")
                     .Str("device_id", old_device.id)
                     .Str("hardware_id", old_device.hardware_id)
                     .Raw("members", "[\"" + p.user_id + "\",\"" + buyer.user_id + "\"]")
                     .Done());
    }
    // Customer service: a few questions, with their intent as truth.
    for (int n = rng.Chance(0.2) ? rng.Int(1, 3) : 0; n > 0; --n) {
      const ServiceQuestion q = MakeServiceQuestion(rng);
      const std::string id = p.user_id + "-" + std::to_string(n);
      const TimeMicros at =
          p.registered_at +
          static_cast<TimeMicros>(rng.Uniform() * static_cast<double>(end() - p.registered_at));
      JsonLine j;
      j.Str("event_id", "msg-" + id)
          .Str("event_type", "service_message")
          .Time("occurred_at", at)
          .Str("message_id", id)
          .Str("user_id", p.user_id)
          .Str("conversation_id", "conv-" + id)
          .Str("text", q.text)
          .Str("channel", "app")
          .Str("direction", "inbound");
      out_.Event("service_message", j.Done());
      out_.Truth("service_intents",
                 JsonLine().Str("message_id", id).Str("intent", q.intent).Done());
    }
    ServiceConversation(p);
    // Wealth customers: questionnaire answers follow a latent risk tolerance (1-5).
    if (rng.Chance(0.08)) {
      const int tolerance =
          std::clamp(static_cast<int>(std::lround(3 + 0.6 * p.z + rng.Normal(0, 0.9))), 1, 5);
      const char* horizons[] = {"<1 year", "1-3 years", "3-5 years", "5-10 years", ">10 years"};
      const char* losses[] = {"no loss", "accept 5%", "accept 10%", "accept 20%", "accept 30%+"};
      const char* goals[] = {"preserve capital", "steady income", "balanced growth", "growth",
                             "aggressive growth"};
      auto answer = [&](int level) { return std::clamp(level + rng.Int(-1, 1), 0, 4); };
      std::string answers = "[" +
                            JsonLine()
                                .Str("question_id", "q_horizon")
                                .Str("answer", horizons[answer(tolerance - 1)])
                                .Done() +
                            "," +
                            JsonLine()
                                .Str("question_id", "q_loss")
                                .Str("answer", losses[answer(tolerance - 1)])
                                .Done() +
                            "," +
                            JsonLine()
                                .Str("question_id", "q_goal")
                                .Str("answer", goals[answer(tolerance - 1)])
                                .Done() +
                            "]";
      const double assets = p.income * rng.LogNormal(std::log(20.0), 0.7);
      const double equity = assets * (0.1 + 0.15 * tolerance) * rng.Uniform();
      std::string holdings =
          "[" + JsonLine().Str("asset_class", "cash").Num("amount", assets * 0.3).Done() + "," +
          JsonLine()
              .Str("asset_class", "fund")
              .Str("instrument", "money-market")
              .Num("amount", assets * 0.3)
              .Done() +
          "," +
          JsonLine()
              .Str("asset_class", "equity")
              .Str("instrument", "CSI300 ETF")
              .Num("amount", equity)
              .Done() +
          "]";
      JsonLine j;
      j.Str("event_id", "wp-" + p.user_id)
          .Str("event_type", "wealth_profile")
          .Time("occurred_at", p.registered_at + rng.Int(1, 60) * kDay)
          .Str("user_id", p.user_id)
          .Raw("answers", answers)
          .Num("investable_assets", assets)
          .Int("horizon_years", tolerance * 2)
          .Raw("holdings", holdings);
      out_.Event("wealth_profile", j.Done());
      out_.Truth("wealth",
                 JsonLine().Str("user_id", p.user_id).Int("risk_tolerance", tolerance).Done());
    }
    // Credit: some users apply once.
    Rng credit(config_.seed, kCreditStream, static_cast<std::uint64_t>(i));
    if (credit.Chance(config_.application_rate)) {
      // Some apply at their first checkout, within two days of signing up: honest new accounts
      // that look, by age alone, like a fraud ring's.
      const double spread = credit.Chance(0.15)
                                ? static_cast<double>(2 * kDay)
                                : 0.7 * static_cast<double>(end() - p.registered_at);
      const TimeMicros applied =
          p.registered_at + static_cast<TimeMicros>(credit.Uniform() * spread);
      std::vector<std::string> contacts(static_cast<size_t>(credit.Int(1, 3)));
      for (std::string& phone : contacts)
        phone = "1" + std::to_string(credit.Int(3, 9)) + credit.Digits(9);
      CreditJourney(credit, p, applied, p.home_ip, contacts, Applicant::kHonest);
    }
    if (progress && i % report_every == 0) progress(0.9 * i / config_.users);
  }
  next_extra = FraudRings(next_extra);
  DeviceFarms(next_extra);
  AccountTakeovers();
  SupplyChain();
  if (progress) progress(1.0);
}

}  // namespace finbrain::sim
