// A worker pool: a producer task feeds file-sized jobs into a buffered channel, a pool of
// workers streams them (range-for until the channel is closed) and reports results on a
// second channel, which the block's own statements fold. Runtime-assisted because tasks
// communicate through channels.
#include <luminar/luminar.hpp>

#include <cstdio>
#include <string>

struct Job {
  int id;
  std::string text;
};

struct Result {
  int id;
  std::size_t words;
};

static std::size_t count_words(const std::string &text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool letter = c != ' ';
    if (letter && !in_word) ++words;
    in_word = letter;
  }
  return words;
}

int main() {
  constexpr int kJobs = 200, kWorkers = 4;
  luminar::channel<Job> jobs(16);
  luminar::channel<Result> results(16);
  std::size_t total_words = 0;
  int received = 0;
#pragma luminar concurrent name("word pool")
  {
#pragma luminar spawn name("producer")
    {
      for (int id = 0; id < kJobs; ++id) {
        std::string text;
        for (int w = 0; w <= id % 7; ++w) text += "word ";
        jobs.send(Job{id, text});
      }
      jobs.close();
    }
    for (int w = 0; w < kWorkers; ++w) {
#pragma luminar spawn name("worker")
      for (Job job : jobs) results.send(Result{job.id, count_words(job.text)});
    }
    for (; received < kJobs; ++received) total_words += results.recv()->words;
  }
  std::size_t expected = 0;
  for (int id = 0; id < kJobs; ++id) expected += id % 7 + 1;
  std::printf("worker_pool: %d results, %zu words (expected %zu)\n", received, total_words, expected);
  return total_words == expected ? 0 : 1;
}
