// on_error(collect): every task runs even when some fail; the block then throws one
// luminar::error_list with each exception and the name of the task that threw it.
#include <luminar/luminar.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

static int parse_port(const std::string &text) {
  const int port = std::stoi(text);  // throws std::invalid_argument on "http"
  if (port <= 0 || port > 65535) throw std::out_of_range("port " + text + " out of range");
  return port;
}

int main() {
  const std::vector<std::string> inputs = {"80", "http", "8080", "70000", "443"};
  std::vector<int> ports(inputs.size(), 0);
  std::size_t failures = 0;
  try {
#pragma luminar parallel on_error(collect) name("parse")
    {
      for (std::size_t i = 0; i < inputs.size(); ++i) {
#pragma luminar spawn name("parser")
        ports[i] = parse_port(inputs[i]);
      }
    }
  } catch (const luminar::error_list &errors) {
    failures = errors.size();
    std::printf("error_collection: %s\n", errors.what());
  }
  int parsed = 0;
  for (int port : ports) parsed += port != 0;
  std::printf("error_collection: %d parsed, %zu failed\n", parsed, failures);
  return parsed == 3 && failures == 2 ? 0 : 1;
}
