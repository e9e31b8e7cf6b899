// plugins/steal/trace: recording from several threads, the written JSON, and atomic writes.
#include "temp_dir.hpp"
#include "trace/recorder.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace luminar_steal::trace;
using nlohmann::json;

namespace {

json load(const std::string &path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return json::parse(in);  // throws (failing the test) on malformed JSON
}

std::vector<json> of_phase(const json &trace, const std::string &ph) {
  std::vector<json> found;
  for (const json &event : trace.at("traceEvents")) {
    if (event.at("ph") == ph) found.push_back(event);
  }
  return found;
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_SUITE("trace") {

TEST_CASE("spans recorded by 4 threads at once are each written exactly once") {
  constexpr unsigned kWorkers = 4;
  constexpr int kSpans = 2000;
  TraceRecorder recorder(kWorkers);
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&recorder, w] {
      WorkerTrace &trace = recorder.worker(w);
      for (int i = 0; i < kSpans; ++i) {
        const std::int64_t begin = TraceRecorder::now_ns();
        const std::uint64_t id = std::uint64_t{w} * 1000000 + static_cast<std::uint64_t>(i);
        trace.span("task " + std::to_string(id), id, begin, TraceRecorder::now_ns());
        if (i % 100 == 0) trace.instant(EventKind::steal, id, TraceRecorder::now_ns(), (w + 1) % kWorkers);
      }
      trace.instant(EventKind::park, 0, TraceRecorder::now_ns());
    });
  }
  for (auto &thread : threads) thread.join();
  TempDir dir;
  std::string error;
  REQUIRE_MESSAGE(recorder.write(dir.file("trace.json"), error), error);
  const json trace = load(dir.file("trace.json"));
  CHECK(trace.at("displayTimeUnit") == "ns");
  CHECK(trace.at("otherData").at("dropped_events") == 0);

  std::map<std::uint64_t, int> seen;
  for (const json &span : of_phase(trace, "X")) {
    const std::uint64_t id = span.at("args").at("task");
    ++seen[id];
    CHECK(span.at("tid") == id / 1000000);  // on the track of the worker that ran it
    CHECK(span.at("name") == "task " + std::to_string(id));
    CHECK(span.at("pid") == 1);
    CHECK(span.at("dur").get<double>() >= 0);
    CHECK(span.at("ts").get<double>() >= 0);
  }
  CHECK(seen.size() == kWorkers * kSpans);
  int duplicates = 0;
  for (const auto &entry : seen) duplicates += entry.second != 1;
  CHECK(duplicates == 0);

  const auto instants = of_phase(trace, "i");
  CHECK(instants.size() == kWorkers * (kSpans / 100 + 1));
  int steals = 0;
  for (const json &event : instants) {
    if (event.at("name") != "steal") continue;
    ++steals;
    CHECK(event.at("args").at("victim") == (event.at("tid").get<unsigned>() + 1) % kWorkers);
  }
  CHECK(steals == kWorkers * kSpans / 100);

  std::set<std::string> names;
  for (const json &meta : of_phase(trace, "M")) {
    if (meta.at("name") == "thread_name") names.insert(meta.at("args").at("name").get<std::string>());
  }
  CHECK(names == std::set<std::string>{"worker 0", "worker 1", "worker 2", "worker 3"});
}

TEST_CASE("task names with quotes, backslashes and control characters round-trip") {
  const std::vector<std::string> names = {"say \"hi\"", "C:\\path\\", std::string("nul\0byte", 8), "tab\tnew\nline\x01\x1f",
                                          "caf\xc3\xa9 \xe2\x86\x92 ok", "</script>{}[],:"};
  TraceRecorder recorder(1);
  for (std::size_t i = 0; i < names.size(); ++i) recorder.worker(0).span(names[i], i + 1, 10, 20);
  recorder.worker(0).span("bad utf-8 \xff\xfe", 99, 10, 20);  // replaced, never a failure
  TempDir dir;
  std::string error;
  REQUIRE_MESSAGE(recorder.write(dir.file("names.json"), error), error);
  const auto spans = of_phase(load(dir.file("names.json")), "X");
  REQUIRE(spans.size() == names.size() + 1);
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(spans[i].at("name").get<std::string>() == names[i]);
  CHECK(spans.back().at("name").get<std::string>().rfind("bad utf-8 ", 0) == 0);
}

TEST_CASE("a span that ends before it begins is written with duration 0") {
  TraceRecorder recorder(1);
  recorder.worker(0).span("backwards", 1, 5000, 1000);
  TempDir dir;
  std::string error;
  REQUIRE(recorder.write(dir.file("t.json"), error));
  CHECK(of_phase(load(dir.file("t.json")), "X").at(0).at("dur") == 0);
}

TEST_CASE("events beyond the per-worker cap are dropped and counted in the file") {
  TraceRecorder recorder(2, 1500);  // more than one chunk
  for (int i = 0; i < 2000; ++i) recorder.worker(0).span("s", static_cast<std::uint64_t>(i), i, i + 1);
  recorder.worker(1).instant(EventKind::unpark, 7, 3);
  CHECK(recorder.dropped() == 500);
  TempDir dir;
  std::string error;
  REQUIRE(recorder.write(dir.file("t.json"), error));
  const json trace = load(dir.file("t.json"));
  CHECK(of_phase(trace, "X").size() == 1500);
  CHECK(of_phase(trace, "X").back().at("args").at("task") == 1499);  // the first ones are kept
  CHECK(trace.at("otherData").at("dropped_events") == 500);
  CHECK(trace.at("otherData").at("dropped_per_worker") == json::array({500, 0}));
  CHECK(trace.at("otherData").at("max_events_per_worker") == 1500);
}

TEST_CASE("writing while workers still record gives a consistent prefix") {
  TraceRecorder recorder(2);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (std::uint64_t i = 0; !stop.load() && i < 5000; ++i) recorder.worker(w).span("busy", i, 1, 2);
    });
  }
  TempDir dir;
  std::string error;
  for (int round = 0; round < 2; ++round) {
    REQUIRE(recorder.write(dir.file("live.json"), error));
    const auto spans = of_phase(load(dir.file("live.json")), "X");
    std::map<unsigned, std::uint64_t> next;  // each worker's spans are 0, 1, 2, ... in order
    int out_of_order = 0;
    for (const json &span : spans) {
      const unsigned tid = span.at("tid");
      out_of_order += span.at("args").at("task") != next[tid]++;
    }
    CHECK(out_of_order == 0);
  }
  stop = true;
  for (auto &thread : threads) thread.join();
}

TEST_CASE("a failed write leaves the target untouched and no temporary file behind") {
  TraceRecorder recorder(1);
  for (int i = 0; i < 20000; ++i) recorder.worker(0).span("a task with a longish name", static_cast<std::uint64_t>(i), i, i + 5);
  TempDir dir;
  std::string error;

  SUBCASE("the directory does not exist") {
    CHECK_FALSE(recorder.write(dir.file("missing/trace.json"), error));
    CHECK(error.find("missing/trace.json") != std::string::npos);
    CHECK(error.find("No such file or directory") != std::string::npos);
  }
  SUBCASE("the disk fills up halfway") {
    const std::string target = dir.file("trace.json");
    { std::ofstream(target) << "previous trace"; }
    // RLIMIT_FSIZE makes writes past 64 KiB fail with EFBIG (SIGXFSZ ignored): a real failure
    // in the middle of the file, which root (who ignores permissions) cannot bypass.
    rlimit saved;
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 64 * 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const bool written = recorder.write(target, error);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
    std::signal(SIGXFSZ, old_handler);
    CHECK_FALSE(written);
    CHECK(error.find("File too large") != std::string::npos);
    CHECK(slurp(target) == "previous trace");
  }
  int entries = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path())) entries += entry.path().filename() != "trace.json";
  CHECK(entries == 0);
}

}  // TEST_SUITE
