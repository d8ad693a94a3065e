// `xyd load`: a load generator for the command path over HTTP. Registers accounts with unique
// phone numbers from several client threads, each as a client does (a registration code to the
// phone, read from the server's <data>/sms.log, then the registration with it: the server must run
// on the same --data, with --address-limit 0), and reports requests/s (registrations), latency and
// status counts; optionally writes each acknowledged (2xx) registration as "phone account-id" to a
// file. With --path, POSTs the body to that route instead (no code); with --get, hammers a GET.
#include <atomic>
#include <chrono>
#include <cpprest/http_client.h>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "ops/commands.h"
#include "ops/sms_log.h"

namespace xyd::ops {
namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int run_load(const CliOptions& options) {
  const std::string target = options.flag("target", options.http);
  const int concurrency = static_cast<int>(options.number("concurrency"));
  const double seconds = static_cast<double>(options.number("seconds"));
  const std::string path = options.flag("path");
  const bool register_with_code = path == "/api/v1/accounts";
  SmsLog sms(options.data_dir + "/sms.log");
  const bool with_password = options.on("password");
  const std::string get_path = options.flag("get");  // a GET to hammer instead (the trivial reference)
  std::string authorization;                         // --operator: as the local operator (the token in --data)
  if (options.on("operator")) {
    std::ifstream token_file(options.data_dir + "/operator-token");
    std::string token;
    if (!std::getline(token_file, token) || token.empty())
      return fail("xyd load", make_error(Errc::not_found, "no operator token in " + options.data_dir +
                                                              " (--operator reads the server's --data)"));
    authorization = "Bearer " + token;
  }
  std::mt19937_64 random(std::random_device{}());
  // Phones 1[3-9]X XXXX XXXX: a random 3-digit run prefix, then a counter.
  const std::string prefix = "13" + std::to_string(100 + random() % 900);
  std::ofstream acked_file;
  if (options.has("acked")) acked_file.open(options.flag("acked"));

  std::atomic<uint64_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<double> latencies;
  std::map<int, uint64_t> statuses;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < concurrency; ++t)
    threads.emplace_back([&] {
      web::http::client::http_client_config config;
      config.set_timeout(std::chrono::seconds(30));
      web::http::client::http_client client(target, config);
      std::vector<double> mine;
      std::map<int, uint64_t> my_statuses;
      while (!stop) {
        uint64_t n = next++;
        char phone[16];
        std::snprintf(phone, sizeof phone, "%s%06llu", prefix.c_str(), static_cast<unsigned long long>(n % 1000000));
        nlohmann::json body = {{"phone", phone}, {"region", "440300"}, {"kind", "enterprise_user"}};
        if (with_password) body["password"] = std::string("load-") + phone;
        const auto begun = Clock::now();
        if (get_path.empty() && register_with_code) {
          web::http::http_request code(web::http::methods::POST);
          code.set_request_uri("/api/v1/sessions/codes");
          code.set_body(nlohmann::json{{"phone", phone}, {"purpose", "registration"}}.dump(), "application/json");
          try {
            auto sent = client.request(code).get();
            sent.extract_utf8string(true).get();
            if (sent.status_code() == 202) body["code"] = sms.registration_code(phone);
          } catch (const std::exception&) {
          }
          if (!body.contains("code")) body["code"] = "";  // refused: the registration says why
        }
        web::http::http_request request(get_path.empty() ? web::http::methods::POST : web::http::methods::GET);
        if (get_path.empty()) {
          request.set_request_uri(path);
          request.headers().add("Idempotency-Key", std::string("load-") + phone);
          request.set_body(body.dump(), "application/json");
        } else {
          request.set_request_uri(get_path);
        }
        if (!authorization.empty()) request.headers().add("Authorization", authorization);
        int status = 0;
        std::string reply;
        try {
          auto response = client.request(request).get();
          status = response.status_code();
          reply = response.extract_utf8string(true).get();
        } catch (const std::exception&) {
          status = 0;  // connection refused or reset: not acknowledged
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
        ++my_statuses[status];
        if (status >= 200 && status < 300 && acked_file.is_open() && get_path.empty()) {
          auto json = nlohmann::json::parse(reply, nullptr, false);
          std::lock_guard lock(mutex);
          acked_file << phone << ' ' << (json.is_discarded() ? "" : json.value("id", "")) << '\n';
          acked_file.flush();
        }
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      for (auto [s, c] : my_statuses) statuses[s] += c;
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json report = {{"requests", latencies.size()},
                           {"requests_per_second", latencies.size() / elapsed},
                           {"p50_ms", percentile(latencies, 0.5)},
                           {"p99_ms", percentile(latencies, 0.99)},
                           {"concurrency", concurrency}};
  for (auto [s, c] : statuses) report["statuses"][std::to_string(s)] = c;
  std::cout << report.dump() << std::endl;
  return 0;
}

}  // namespace xyd::ops
