#include "projections/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace xyd::projections {

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<uint64_t>(seconds + 0.5);
  char out[32];
  if (s >= 3600)
    std::snprintf(out, sizeof out, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60));
  else if (s >= 60)
    std::snprintf(out, sizeof out, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(out, sizeof out, "%llus", static_cast<unsigned long long>(s));
  return out;
}

namespace {

double fraction(const ProgressFigures& f) {
  if (f.total == 0) return 1.0;
  return std::min(1.0, static_cast<double>(f.done) / static_cast<double>(f.total));
}

std::string eta(const ProgressFigures& f) {
  return f.eta_seconds ? duration_text(*f.eta_seconds) : std::string("?");
}

}  // namespace

std::string progress_bar(const ProgressFigures& f, int width) {
  const double share = fraction(f);
  const int filled = static_cast<int>(share * width);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
  char pct[16];
  std::snprintf(pct, sizeof pct, "%5.1f%%", 100 * share);
  return bar + " " + pct + "  " + with_commas(f.done) + "/" + with_commas(f.total) + " events  " +
         with_commas(static_cast<uint64_t>(f.rate)) + " events/s  ETA " + eta(f);
}

std::string progress_line(const ProgressFigures& f) {
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.1f%%", 100 * fraction(f));
  return with_commas(f.done) + "/" + with_commas(f.total) + " events (" + pct + "), " +
         with_commas(static_cast<uint64_t>(f.rate)) + " events/s, ETA " + eta(f);
}

ProgressPrinter::ProgressPrinter(std::string label, std::optional<bool> terminal, std::chrono::milliseconds line_every)
    : label_(std::move(label)), terminal_(terminal.value_or(isatty(STDERR_FILENO) == 1)), line_every_(line_every) {}

void ProgressPrinter::update(const ProgressFigures& figures) {
  if (terminal_) {
    std::string text = label_ + " " + progress_bar(figures);
    const size_t width = text.size();
    if (width < drawn_) text += std::string(drawn_ - width, ' ');
    drawn_ = width;
    std::fprintf(stderr, "\r%s", text.c_str());
    std::fflush(stderr);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_line_ < line_every_) return;
  last_line_ = now;
  std::fprintf(stderr, "%s: %s\n", label_.c_str(), progress_line(figures).c_str());
  std::fflush(stderr);
}

void ProgressPrinter::finish(const ProgressFigures& figures, std::string_view outcome) {
  if (terminal_) {
    update(figures);
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(outcome.size()), outcome.data());
  } else {
    std::fprintf(stderr, "%s: %s: %.*s\n", label_.c_str(), progress_line(figures).c_str(),
                 static_cast<int>(outcome.size()), outcome.data());
  }
  std::fflush(stderr);
}

ProgressFigures progress_figures(uint64_t done, uint64_t total, double rate) {
  ProgressFigures f{done, total, rate, std::nullopt};
  if (rate > 0 && total >= done) f.eta_seconds = static_cast<double>(total - done) / rate;
  return f;
}

}  // namespace xyd::projections
