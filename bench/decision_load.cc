// An open-loop HTTP load generator: requests are scheduled at a constant rate, and each one's
// latency is measured from when it was due, not from when a connection became free, so a slow
// server cannot hide its queueing (no coordinated omission, unlike closed-loop wrk).
//
//   decision_load --url http://127.0.0.1:8080 --key KEY --rate 2000 --seconds 20
//                 --applications world/events/credit_application.jsonl
//   decision_load --url ... --path /healthz --rate 2000 --seconds 10        (the floor)
//   decision_load --url ... --applications ... --closed 8 --seconds 10        (closed loop)
//
// With --applications, each request POSTs one application to /v1/decisions/credit with a fresh
// application and event id, unique across runs too (so every request is a new decision, never an
// idempotent replay of an earlier run's).
// With --closed N, N connections each send the next request as soon as the previous answer
// arrives (latency from the send): the maximum throughput and its latency, not a fixed rate.
// Prints one JSON line: rate, achieved rps, p50/p95/p99/p99.9/max in ms, errors, the mean of
// each stage of the answers' `latency_us` (the server's in-process cost per stage under this
// load) and their sum without the commit (`stage_sum_us`), p50/p99 by decision outcome (so that
// declines and reviews are no hidden tail), and where the time went: how late the generator
// itself sent requests (`send_lag_ms`), the server's own total (`server_total_ms`), and both for
// the slowest 1% of answers.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string key;
  std::string path = "/v1/decisions/credit";
  std::string applications;
  double rate = 1000;
  double seconds = 10;
  int connections = 64;
  int closed = 0;  // > 0: closed loop with this many connections
};

struct Load {
  Options options;
  std::vector<std::string> bodies;
  std::deque<Clock::time_point> due;  // scheduled requests not yet sent
  std::vector<double> latencies_ms;
  // Per answer, to tell where a slow one spent its time: how late the generator sent it (its
  // own share of the two cores), and the server's own total and commit time.
  struct Sample {
    double latency_ms, send_lag_ms, server_total_ms, commit_ms;
    std::string outcome;  // the answer's "decision", or empty
  };
  std::vector<Sample> samples;
  std::map<std::string, double, std::less<>> stage_us;  // summed over `staged` answers
  std::uint64_t staged = 0;
  std::uint64_t sent = 0, errors = 0, scheduled = 0;
  Clock::time_point start, stop;
};

// This run's tag: the start time, so that ids never repeat an earlier run's.
const std::string& RunTag() {
  static const std::string tag =
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  return tag;
}

// Makes application `n` unique: suffixes its application_id and event_id values.
std::string Unique(const std::string& line, std::uint64_t n) {
  std::string out = line;
  for (const char* field : {"\"application_id\":\"", "\"event_id\":\""}) {
    const size_t at = out.find(field);
    if (at == std::string::npos) continue;
    const size_t end = out.find('"', at + std::strlen(field));
    out.insert(end, "-b" + RunTag() + "-" + std::to_string(n));
  }
  return out;
}

// The answer's "decision":"..." value, or empty.
std::string Outcome(std::string_view body) {
  constexpr std::string_view kKey = "\"decision\":\"";
  const size_t at = body.find(kKey);
  if (at == std::string_view::npos) return "";
  const size_t from = at + kKey.size();
  return std::string(body.substr(from, body.find('"', from) - from));
}

// Adds the stages of an answer's "latency_us":{"validate":71.2,...} to the sums; returns the
// answer's stages.
std::map<std::string, double, std::less<>> AddStages(Load& load, std::string_view body) {
  std::map<std::string, double, std::less<>> stages;
  constexpr std::string_view kKey = "\"latency_us\":{";
  const size_t at = body.find(kKey);
  if (at == std::string_view::npos) return stages;
  std::string_view rest = body.substr(at + kKey.size());
  rest = rest.substr(0, rest.find('}'));
  while (!rest.empty()) {
    const size_t open = rest.find('"'), close = rest.find('"', open + 1);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    const std::string_view name = rest.substr(open + 1, close - open - 1);
    rest.remove_prefix(std::min(rest.size(), close + 2));  // past `":`
    double us = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), us);
    if (ec != std::errc()) break;
    auto it = load.stage_us.find(name);
    if (it == load.stage_us.end()) it = load.stage_us.emplace(std::string(name), 0.0).first;
    it->second += us;
    stages.emplace(std::string(name), us);
    rest.remove_prefix(std::min(rest.size(), size_t(end - rest.data()) + 1));  // past `,`
  }
  ++load.staged;
  return stages;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Load& load, tcp::endpoint endpoint)
      : socket_(io), load_(load), endpoint_(endpoint) {}

  void Start() {
    socket_.async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        std::cerr << "connect: " << ec.message() << "\n";
        return;
      }
      self->socket_.set_option(tcp::no_delay(true));
      self->Next();
    });
  }

  // Takes the next due request, if any; otherwise waits to be poked.
  void Next() {
    if (load_.options.closed > 0) {
      // Closed loop: the next request is due as soon as this connection is free.
      due_ = Clock::now();
      if (due_ < load_.start) {
        idle_ = true;  // the tick starts it
        return;
      }
      if (due_ >= load_.stop) return;
    } else if (load_.due.empty()) {
      idle_ = true;
      return;
    } else {
      due_ = load_.due.front();
      load_.due.pop_front();
    }
    idle_ = false;
    const std::uint64_t n = load_.sent++;
    request_ = {};
    request_.version(11);
    request_.set(http::field::host, load_.options.host);
    if (!load_.options.key.empty()) {
      request_.set(http::field::authorization, "Bearer " + load_.options.key);
    }
    if (load_.bodies.empty()) {
      request_.method(http::verb::get);
      request_.target(load_.options.path);
    } else {
      request_.method(http::verb::post);
      request_.target(load_.options.path);
      request_.set(http::field::content_type, "application/json");
      request_.body() = Unique(load_.bodies[n % load_.bodies.size()], n);
    }
    request_.prepare_payload();
    sent_ = Clock::now();
    http::async_write(socket_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail();
      self->response_ = {};
      http::async_read(
          self->socket_, self->buffer_, self->response_, [self](beast::error_code read_ec, size_t) {
            if (read_ec) return self->Fail();
            const auto now = Clock::now();
            if (self->response_.result_int() >= 300) ++self->load_.errors;
            if (now <= self->load_.stop) {
              const auto ms = [](auto d) {
                return std::chrono::duration<double, std::milli>(d).count();
              };
              std::map<std::string, double, std::less<>> stages;
              std::string outcome;
              if (self->response_.result_int() < 300) {
                stages = AddStages(self->load_, self->response_.body());
                outcome = Outcome(self->response_.body());
              }
              self->load_.latencies_ms.push_back(ms(now - self->due_));
              self->load_.samples.push_back(
                  {ms(now - self->due_), ms(self->sent_ - self->due_),
                   stages.contains("total") ? stages["total"] / 1000 : 0,
                   stages.contains("commit") ? stages["commit"] / 1000 : 0, std::move(outcome)});
            }
            self->Next();
          });
    });
  }

  bool idle() const { return idle_; }

 private:
  void Fail() {
    ++load_.errors;
    idle_ = true;
  }

  tcp::socket socket_;
  Load& load_;
  tcp::endpoint endpoint_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Clock::time_point due_, sent_;
  bool idle_ = false;
};

int main(int argc, char** argv) {
  Load load;
  Options& o = load.options;
  std::string url;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--url")
      url = value;
    else if (flag == "--key")
      o.key = value;
    else if (flag == "--path")
      o.path = value;
    else if (flag == "--applications")
      o.applications = value;
    else if (flag == "--rate")
      o.rate = std::stod(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else if (flag == "--connections")
      o.connections = std::stoi(value);
    else if (flag == "--closed")
      o.closed = std::stoi(value);
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (url.rfind("http://", 0) == 0) {
    const std::string rest = url.substr(7);
    const size_t colon = rest.find(':');
    o.host = rest.substr(0, colon);
    o.port = rest.substr(colon + 1);
  }
  if (!o.applications.empty()) {
    std::ifstream in(o.applications);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) load.bodies.push_back(line);
    }
    if (load.bodies.empty()) {
      std::cerr << "no applications in " << o.applications << "\n";
      return 2;
    }
  }
  if (o.closed > 0) o.connections = o.closed;
  asio::io_context io;
  const tcp::endpoint endpoint = *tcp::resolver(io).resolve(o.host, o.port).begin();
  std::vector<std::shared_ptr<Connection>> connections;
  for (int i = 0; i < o.connections; ++i) {
    connections.push_back(std::make_shared<Connection>(io, load, endpoint));
    connections.back()->Start();
  }
  load.start = Clock::now() + std::chrono::milliseconds(200);  // connections first
  load.stop = load.start + std::chrono::microseconds(std::int64_t(o.seconds * 1e6));
  const auto interval = std::chrono::nanoseconds(std::int64_t(1e9 / o.rate));
  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    // Schedule every request due by now, then hand them to idle connections.
    const auto now = Clock::now();
    while (o.closed == 0 && now >= load.start + interval * load.scheduled &&
           load.start + interval * load.scheduled < load.stop) {
      load.due.push_back(load.start + interval * load.scheduled);
      ++load.scheduled;
    }
    for (auto& c : connections) {
      if (o.closed == 0 && load.due.empty()) break;
      if (c->idle()) c->Next();
    }
    if (now < load.stop) {
      timer.expires_after(std::chrono::microseconds(200));
      timer.async_wait([&](beast::error_code) { tick(); });
    } else {
      timer.expires_after(std::chrono::seconds(2));  // let the last answers arrive
      timer.async_wait([&](beast::error_code) { io.stop(); });
    }
  };
  timer.expires_at(load.start);
  timer.async_wait([&](beast::error_code) { tick(); });
  io.run();

  std::vector<double>& l = load.latencies_ms;
  std::sort(l.begin(), l.end());
  const auto pct = [&](double p) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, size_t(p * double(l.size())))];
  };
  std::printf(
      "{\"path\":\"%s\",\"rate\":%.0f,\"seconds\":%.0f,\"completed\":%zu,\"rps\":%.0f,"
      "\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
      "\"errors\":%llu,\"unsent\":%zu",
      o.path.c_str(), o.closed > 0 ? 0.0 : o.rate, o.seconds, l.size(),
      double(l.size()) / o.seconds, pct(0.50), pct(0.95), pct(0.99), pct(0.999),
      l.empty() ? 0.0 : l.back(), static_cast<unsigned long long>(load.errors), load.due.size());
  if (load.staged > 0) {
    const char* separator = "";
    std::printf(",\"stages_us\":{");
    double stage_sum = 0;  // what the decision costs in process, without waiting for the commit
    for (const auto& [stage, sum] : load.stage_us) {
      std::printf("%s\"%s\":%.1f", separator, stage.c_str(), sum / double(load.staged));
      separator = ",";
      if (stage != "commit" && stage != "total") stage_sum += sum / double(load.staged);
    }
    std::printf("},\"stage_sum_us\":%.1f", stage_sum);
  }
  if (!load.samples.empty()) {
    // Where the time went: overall, and in the slowest 1% of answers.
    std::vector<Load::Sample>& by_latency = load.samples;
    std::sort(
        by_latency.begin(), by_latency.end(),
        [](const Load::Sample& a, const Load::Sample& b) { return a.latency_ms < b.latency_ms; });
    const auto percentile = [](std::vector<double> v, double p) {
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
    };
    std::vector<double> lag, total;
    for (const Load::Sample& x : by_latency) {
      lag.push_back(x.send_lag_ms);
      total.push_back(x.server_total_ms);
    }
    const size_t slow_from = by_latency.size() - std::max<size_t>(1, by_latency.size() / 100);
    Load::Sample slow{0, 0, 0, 0};
    for (size_t i = slow_from; i < by_latency.size(); ++i) {
      slow.latency_ms += by_latency[i].latency_ms;
      slow.send_lag_ms += by_latency[i].send_lag_ms;
      slow.server_total_ms += by_latency[i].server_total_ms;
      slow.commit_ms += by_latency[i].commit_ms;
    }
    const double n = double(by_latency.size() - slow_from);
    std::map<std::string, std::vector<double>> by_outcome;  // latencies, in order
    for (const Load::Sample& x : by_latency) {
      if (!x.outcome.empty()) by_outcome[x.outcome].push_back(x.latency_ms);
    }
    if (!by_outcome.empty()) {
      std::printf(",\"by_decision\":{");
      const char* separator = "";
      for (const auto& [outcome, ms] : by_outcome) {
        const auto at = [&](double p) {
          return ms[std::min(ms.size() - 1, size_t(p * ms.size()))];
        };
        std::printf("%s\"%s\":{\"count\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f}", separator,
                    outcome.c_str(), ms.size(), at(0.5), at(0.99));
        separator = ",";
      }
      std::printf("}");
    }
    std::printf(
        ",\"send_lag_ms\":{\"p50\":%.3f,\"p99\":%.3f},\"server_total_ms\":{\"p50\":%.3f,"
        "\"p99\":%.3f},\"slowest_1pct_mean_ms\":{\"latency\":%.3f,\"send_lag\":%.3f,"
        "\"server_total\":%.3f,\"commit\":%.3f}",
        percentile(lag, 0.5), percentile(lag, 0.99), percentile(total, 0.5),
        percentile(total, 0.99), slow.latency_ms / n, slow.send_lag_ms / n,
        slow.server_total_ms / n, slow.commit_ms / n);
  }
  std::printf("}\n");
  return 0;
}
