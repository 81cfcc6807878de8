// Runs the labelled corpus (test/testdata/redact_corpus/corpus.txt, format in generate.py and
// docs/privacy.md) through Shield::Scan, prints recall per kind and false positives per near-miss
// class, and fails on any miss or false positive.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "awoooi/privacy/shield.h"

namespace awoooi::privacy {
namespace {

struct Mark {
  std::size_t begin = 0, end = 0;
  std::string name;  // kind, or near-miss class
  bool near_miss = false;
};

struct Line {
  std::string text;
  std::vector<Mark> marks;
};

Line ParseLine(const std::string& raw) {
  Line line;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t open = raw.find("{{", pos);
    if (open == std::string::npos) break;
    std::size_t close = raw.find("}}", open + 2);
    std::size_t colon = raw.find(':', open + 2);
    if (close == std::string::npos || colon == std::string::npos || colon > close) break;
    line.text += raw.substr(pos, open - pos);
    Mark m;
    std::string name = raw.substr(open + 2, colon - open - 2);
    m.near_miss = !name.empty() && name[0] == '~';
    m.name = m.near_miss ? name.substr(1) : name;
    m.begin = line.text.size();
    line.text += raw.substr(colon + 1, close - colon - 1);
    m.end = line.text.size();
    line.marks.push_back(m);
    pos = close + 2;
  }
  line.text += raw.substr(std::min(pos, raw.size()));
  return line;
}

TEST(Corpus, FullRecallOnStructuredTypesAndNoFalsePositivesOnNearMisses) {
  std::ifstream in(std::string(AWOOOI_SOURCE_DIR) + "/test/testdata/redact_corpus/corpus.txt");
  ASSERT_TRUE(in.good());
  ShieldConfig config;
  config.vault_key = std::string(32, 'c');
  auto shield = Shield::Create(config);
  ASSERT_TRUE(shield.ok());

  struct KindStats {
    int expected = 0, found = 0;
  };
  std::map<std::string, KindStats> kinds;
  std::map<std::string, std::pair<int, int>> near;  // class -> (occurrences, false positives)
  int lines = 0, unmarked_fp = 0;
  std::vector<std::string> failures;
  std::string raw;
  while (std::getline(in, raw)) {
    ++lines;
    Line line = ParseLine(raw);
    std::vector<Finding> findings = (*shield)->Scan(line.text);
    std::vector<bool> used(findings.size(), false);
    for (const Mark& m : line.marks) {
      if (m.near_miss) {
        auto& [count, fp] = near[m.name];
        ++count;
        for (const Finding& f : findings) {
          if (f.offset < m.end && m.begin < f.offset + f.length) {
            ++fp;
            failures.push_back("false positive (" + m.name + "): " + f.kind + " '" +
                               line.text.substr(f.offset, f.length) + "' in: " + raw);
            break;
          }
        }
        continue;
      }
      KindStats& k = kinds[m.name];
      ++k.expected;
      bool hit = false;
      for (std::size_t i = 0; i < findings.size(); ++i) {
        if (findings[i].offset == m.begin && findings[i].length == m.end - m.begin &&
            findings[i].kind == m.name) {
          hit = used[i] = true;
          break;
        }
      }
      if (hit) {
        ++k.found;
      } else {
        failures.push_back("missed " + m.name + " '" + line.text.substr(m.begin, m.end - m.begin) +
                           "' in: " + raw);
      }
    }
    for (std::size_t i = 0; i < findings.size(); ++i) {
      if (used[i]) continue;
      bool in_near_miss = false;
      for (const Mark& m : line.marks) {
        in_near_miss |=
            m.near_miss && findings[i].offset < m.end && m.begin < findings[i].offset + findings[i].length;
      }
      if (!in_near_miss) {
        ++unmarked_fp;
        failures.push_back("unexpected " + findings[i].kind + " '" +
                           line.text.substr(findings[i].offset, findings[i].length) + "' in: " + raw);
      }
    }
  }
  std::printf("corpus: %d lines\n\n| kind | values | found | recall |\n|---|---:|---:|---:|\n", lines);
  for (const auto& [name, k] : kinds) {
    std::printf("| %s | %d | %d | %.1f%% |\n", name.c_str(), k.expected, k.found,
                k.expected ? 100.0 * k.found / k.expected : 100.0);
  }
  std::printf("\n| near-miss class | occurrences | false positives |\n|---|---:|---:|\n");
  for (const auto& [name, c] : near) std::printf("| %s | %d | %d |\n", name.c_str(), c.first, c.second);
  std::printf("| (unmarked text) | - | %d |\n", unmarked_fp);
  EXPECT_GE(lines, 2000);
  for (const auto& f : failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace awoooi::privacy
