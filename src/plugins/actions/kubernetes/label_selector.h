// LabelSelector: a Kubernetes metav1.LabelSelector (matchLabels + matchExpressions), matched against
// an object's labels on our side (a PodDisruptionBudget against a pod) or written as the
// `labelSelector` query string the API server evaluates (a workload's pods).
//
// Semantics follow the API: a selector that is absent (`null`) matches nothing; an empty one ({})
// matches everything; operators In, NotIn, Exists, DoesNotExist. An unknown operator matches nothing
// (fail closed).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace awoooi::action::kubernetes {

struct LabelRequirement {
  std::string key;
  std::string op;  // In | NotIn | Exists | DoesNotExist
  std::vector<std::string> values;
};

struct LabelSelector {
  bool present = false;  // false: the selector was null, which selects nothing
  std::map<std::string, std::string> match_labels;
  std::vector<LabelRequirement> expressions;
};

bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

// "app=web,tier in (a,b),!canary" — the string form the API server's labelSelector parameter takes.
std::string ToQuery(const LabelSelector& selector);

}  // namespace awoooi::action::kubernetes
