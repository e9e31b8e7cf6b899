// Fan-in with select: a sensor task and a log task each send on their own channel; the
// block waits on both with luminar::select, with a heartbeat timeout, until both are closed.
#include <luminar/luminar.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

int main() {
  luminar::channel<double> readings(8);
  luminar::channel<std::string> logs(8);
  double sum = 0;
  int count = 0, log_lines = 0, heartbeats = 0;
#pragma luminar concurrent name("fan-in")
  {
#pragma luminar spawn name("sensor")
    {
      for (int i = 1; i <= 50; ++i) readings.send(i * 0.5);
      readings.close();
    }
#pragma luminar spawn name("logger")
    {
      for (int i = 0; i < 10; ++i) logs.send("event " + std::to_string(i));
      logs.close();
    }
    bool readings_open = true, logs_open = true;
    while (readings_open || logs_open) {
      luminar::select(
          luminar::on_recv(readings, [&](std::optional<double> r) {
            if (r) { sum += *r; ++count; } else { readings_open = false; }
          }),
          luminar::on_recv(logs, [&](std::optional<std::string> line) {
            if (line) { ++log_lines; } else { logs_open = false; }
          }),
          luminar::on_timeout(std::chrono::milliseconds(100), [&] { ++heartbeats; }));
    }
  }
  std::printf("select_fan_in: %d readings (sum %.1f), %d log lines, %d idle heartbeats\n", count, sum, log_lines,
              heartbeats);
  return count == 50 && sum == 637.5 && log_lines == 10 ? 0 : 1;
}
