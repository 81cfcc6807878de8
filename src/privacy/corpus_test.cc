// Runs the labelled corpus (test/testdata/redact_corpus/corpus.txt and corpus_keys.txt, format in
// generate.py and docs/privacy.md) through Shield::Scan, prints recall and precision per kind and
// false positives per near-miss class, and fails on any miss or false positive.
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
    std::size_t colon = raw.find(':', open + 2);
    if (colon == std::string::npos) break;
    // The value may itself contain "}}" only if it is a template; markup closes at the first "}}"
    // after the colon that is not part of a "{{" opened inside the value.
    std::size_t close = raw.find("}}", colon + 1);
    std::size_t inner = raw.find("{{", colon + 1);
    while (close != std::string::npos && inner != std::string::npos && inner < close) {
      close = raw.find("}}", close + 2);
      inner = raw.find("{{", inner + 2);
    }
    if (close == std::string::npos) break;
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

struct KindStats {
  int expected = 0, found = 0, findings = 0;
};

struct CorpusResult {
  int lines = 0, unmarked_fp = 0;
  std::map<std::string, KindStats> kinds;
  std::map<std::string, std::pair<int, int>> near;  // class -> (occurrences, false positives)
  std::vector<std::string> failures;
};

void RunCorpus(const Shield& shield, const std::string& path, CorpusResult* r) {
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::string raw;
  while (std::getline(in, raw)) {
    ++r->lines;
    Line line = ParseLine(raw);
    std::vector<Finding> findings = shield.Scan(line.text);
    std::vector<bool> used(findings.size(), false);
    for (const Finding& f : findings) ++r->kinds[f.kind].findings;
    for (const Mark& m : line.marks) {
      if (m.near_miss) {
        auto& [count, fp] = r->near[m.name];
        ++count;
        for (const Finding& f : findings) {
          if (f.offset < m.end && m.begin < f.offset + f.length) {
            ++fp;
            r->failures.push_back("false positive (" + m.name + "): " + f.kind + " '" +
                                  line.text.substr(f.offset, f.length) + "' in: " + raw);
            break;
          }
        }
        continue;
      }
      KindStats& k = r->kinds[m.name];
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
        std::string got;
        for (const Finding& f : findings) {
          if (f.offset < m.end && m.begin < f.offset + f.length)
            got += " [got " + f.kind + " '" + line.text.substr(f.offset, f.length) + "']";
        }
        r->failures.push_back("missed " + m.name + " '" + line.text.substr(m.begin, m.end - m.begin) + "'" +
                              got + " in: " + raw);
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
        ++r->unmarked_fp;
        r->failures.push_back("unexpected " + findings[i].kind + " '" +
                              line.text.substr(findings[i].offset, findings[i].length) + "' in: " + raw);
      }
    }
  }
}

void PrintTables(const char* title, const CorpusResult& r) {
  std::printf(
      "\n%s: %d lines\n\n| kind | values | found | recall | findings | precision |\n"
      "|---|---:|---:|---:|---:|---:|\n",
      title, r.lines);
  for (const auto& [name, k] : r.kinds) {
    std::printf("| %s | %d | %d | %.1f%% | %d | %.1f%% |\n", name.c_str(), k.expected, k.found,
                k.expected ? 100.0 * k.found / k.expected : 100.0, k.findings,
                k.findings ? 100.0 * k.found / k.findings : 100.0);
  }
  std::printf("\n| near-miss class | occurrences | false positives |\n|---|---:|---:|\n");
  for (const auto& [name, c] : r.near) std::printf("| %s | %d | %d |\n", name.c_str(), c.first, c.second);
  std::printf("| (unmarked text) | - | %d |\n", r.unmarked_fp);
}

std::unique_ptr<Shield> CorpusShield() {
  ShieldConfig config;
  config.vault_key = std::string(32, 'c');
  auto shield = Shield::Create(config);
  EXPECT_TRUE(shield.ok());
  return std::move(*shield);
}

const std::string kDir = std::string(AWOOOI_SOURCE_DIR) + "/test/testdata/redact_corpus/";

// The PII corpus (addresses, e-mails, ids, cards, the first secret kinds) and its near misses.
TEST(Corpus, FullRecallOnStructuredTypesAndNoFalsePositivesOnNearMisses) {
  auto shield = CorpusShield();
  CorpusResult r;
  RunCorpus(*shield, kDir + "corpus.txt", &r);
  PrintTables("corpus.txt", r);
  EXPECT_GE(r.lines, 2000);
  for (const auto& f : r.failures) ADD_FAILURE() << f;
}

// Credentials: vendor keys and tokens, connection strings, encodings, settings marked only by their
// name, and the references, placeholders and look-alikes that are not secrets.
TEST(Corpus, FullRecallOnCredentialsAndNoFalsePositivesOnReferencesOrPlaceholders) {
  auto shield = CorpusShield();
  CorpusResult r;
  RunCorpus(*shield, kDir + "corpus_keys.txt", &r);
  PrintTables("corpus_keys.txt", r);
  EXPECT_GE(r.lines, 3000);
  EXPECT_GE(r.kinds.size(), 70u);  // every credential kind appears
  for (const auto& f : r.failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace awoooi::privacy
