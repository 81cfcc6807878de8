#include "awoooi/brain/proposal.h"

#include <array>
#include <utility>

namespace awoooi::brain {
namespace {

// The wire names of the action vocabulary (PRODUCT.md F7); also used by the JSON schema.
constexpr std::array<std::pair<ActionType, std::string_view>, 8> kActionNames = {{
    {ActionType::kRestartPod, "restart_pod"},
    {ActionType::kRolloutRestart, "rollout_restart"},
    {ActionType::kScale, "scale"},
    {ActionType::kCordonNode, "cordon_node"},
    {ActionType::kDeletePvc, "delete_pvc"},
    {ActionType::kRunCommand, "run_command"},
    {ActionType::kMcpTool, "mcp_tool"},
    {ActionType::kInvestigate, "investigate"},
}};

}  // namespace

std::string_view ToString(ActionType t) {
  for (const auto& [type, name] : kActionNames) {
    if (type == t) return name;
  }
  return "investigate";
}

bool ParseActionType(std::string_view s, ActionType* out) {
  for (const auto& [type, name] : kActionNames) {
    if (name == s) {
      if (out != nullptr) *out = type;
      return true;
    }
  }
  return false;
}

}  // namespace awoooi::brain
