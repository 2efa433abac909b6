// Helpers for tests that run the real `finbrain` binary: spawn it, read its output, signal it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/http_client.h"

extern char** environ;

namespace finbrain::testing {

inline std::string FinbrainBinary() {
  const char* path = std::getenv("FINBRAIN_BINARY");
  if (path == nullptr) throw std::runtime_error("FINBRAIN_BINARY is not set (run through ctest)");
  return path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process whose stdout and stderr go to files.
class Process {
 public:
  Process(std::vector<std::string> args, const std::string& output_prefix,
          std::vector<std::string> extra_env = {})
      : out_path_(output_prefix + ".out"), err_path_(output_prefix + ".err") {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    for (auto& e : extra_env) env_strings.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
      throw std::runtime_error("cannot spawn " + args[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }

  void Signal(int sig) { ::kill(pid_, sig); }

  // Exit code, or 128 + signal number.
  int Wait() {
    if (exited_) return code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code_;
  }

  std::string Stdout() const { return ReadFile(out_path_); }
  std::string Stderr() const { return ReadFile(err_path_); }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

// Runs `finbrain args...` to completion.
struct CommandResult {
  int exit_code;
  std::string out, err;
};
inline CommandResult RunFinbrain(std::vector<std::string> args, const std::string& scratch,
                                 std::vector<std::string> env = {}) {
  args.insert(args.begin(), FinbrainBinary());
  Process p(std::move(args), scratch + "/cmd", std::move(env));
  const int code = p.Wait();
  return {code, p.Stdout(), p.Stderr()};
}

// Polls `condition` until it holds or `deadline` passes; whether it held. Tests wait for what
// they need this way, never for a fixed time.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// `finbrain serve` on a free loopback port.
class ServerProcess {
 public:
  static constexpr const char* kAdminToken = "test-admin-token-0123456789";

  ServerProcess(const std::string& data_dir, const std::string& scratch,
                std::vector<std::string> extra_env = {}, bool admin = true) {
    std::vector<std::string> env = {"FINBRAIN_LOG_LEVEL=warn"};
    if (admin) env.push_back(std::string("FINBRAIN_ADMIN_TOKEN=") + kAdminToken);
    for (auto& e : extra_env) env.push_back(e);
    process_ =
        std::make_unique<Process>(std::vector<std::string>{FinbrainBinary(), "serve", "--data-dir",
                                                           data_dir, "--listen", "127.0.0.1:0"},
                                  scratch + "/server", env);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const std::string marker = "listening on http://127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string out = process_->Stdout();
      if (size_t at = out.find(marker);
          at != std::string::npos && out.find('\n', at) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + marker.size())));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("server did not start: " + process_->Stderr());
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  Process& process() { return *process_; }

  std::unique_ptr<server::HttpClient> Connect() const {
    auto client = server::HttpClient::Connect("127.0.0.1", port_);
    if (!client.ok()) throw std::runtime_error(client.status().ToString());
    return std::move(client).value();
  }

  // SIGTERM and wait; returns the exit code.
  int Stop() {
    process_->Signal(SIGTERM);
    return process_->Wait();
  }
  int Kill() {
    process_->Signal(SIGKILL);
    return process_->Wait();
  }

 private:
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace finbrain::testing
