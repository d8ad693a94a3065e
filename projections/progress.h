// Progress of a long job (a rebuild, a chain verification) for people: events done of total,
// rate and ETA, as a bar redrawn in place when stderr is a terminal and as plain periodic lines
// otherwise (logs, CI). A ProgressPrinter belongs to the one thread that updates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xyd::projections {

struct ProgressFigures {
  uint64_t done = 0;
  uint64_t total = 0;
  double rate = 0;                    // per second
  std::optional<double> eta_seconds;  // unknown without a rate
};

// done of total at `rate` a second, with the ETA when the rate is known.
ProgressFigures progress_figures(uint64_t done, uint64_t total, double rate);

// "1,234,567"
std::string with_commas(uint64_t n);
// "1h02m", "3m05s", "12s"
std::string duration_text(double seconds);
// "[##########..........]  50.0%  500,000/1,000,000 events  512,300 events/s  ETA 1s"
std::string progress_bar(const ProgressFigures& figures, int width = 30);
// "500,000/1,000,000 events (50.0%), 512,300 events/s, ETA 1s"
std::string progress_line(const ProgressFigures& figures);

class ProgressPrinter {
 public:
  // `terminal`: draw a bar (default: whether stderr is a terminal).
  explicit ProgressPrinter(std::string label, std::optional<bool> terminal = std::nullopt,
                           std::chrono::milliseconds line_every = std::chrono::seconds(2));
  void update(const ProgressFigures& figures);
  // The final figures and a closing word ("done", "failed").
  void finish(const ProgressFigures& figures, std::string_view outcome);

 private:
  std::string label_;
  bool terminal_;
  std::chrono::milliseconds line_every_;
  std::chrono::steady_clock::time_point last_line_{};
  size_t drawn_ = 0;
};

}  // namespace xyd::projections
