// ValidateProposal: the gate every proposal passes before it is stored, whoever produced it.
//
// A reasoner's output is advice, never a command: this check rejects proposals that are malformed
// or that the incident's analysis does not justify (a model told by alert text to "delete namespace
// production" must not get that into an approval request). Rules (docs/brain.md, "Validation"):
//  1. summary, root_cause.service and at least one action are present; confidence is in [0, 1].
//  2. root_cause.service and every service-targeted action's target is in context.known_services
//     (when the topology is unknown, known_services is empty, then the incident's service and the
//     root-cause/blast-radius services are the known set).
//  3. Node and PVC targets (cordon_node, delete_pvc) are exempt from rule 2 because the topology
//     holds services, not nodes or volumes, but they must be named by the context itself: an alert
//     label value (node, instance, persistentvolumeclaim, ...) or a topology finding. Pod, deployment
//     and statefulset targets must be a known service or named by an alert label (pod, deployment,
//     ...). Annotation text and the retrieval document do not count: they are where injected
//     instructions live.
//  4. A `namespace` parameter must be one the context names (alert labels or findings) whenever the
//     context names any ("default" is always allowed).
//  5. scale needs `replicas` in [1, kMaxReplicas]; scaling to zero is an outage that only a person
//     may request (POST /api/v1/actions).
//  6. At most kMaxActions actions.
// Every action is already typed (action::Build): parameter syntax, shell metacharacters and
// unknown kinds never get this far.
// Returns InvalidArgument with every violation, joined with "; ".
//
// Thread-safety: a pure function.
#pragma once

#include "absl/status/status.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/brain/reasoner.h"

namespace awoooi::brain {

inline constexpr int kMaxReplicas = 100;
inline constexpr std::size_t kMaxActions = 10;

absl::Status ValidateProposal(const Proposal& proposal, const ReasoningContext& context);

}  // namespace awoooi::brain
