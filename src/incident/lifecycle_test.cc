#include "awoooi/incident/lifecycle.h"

#include <gtest/gtest.h>

namespace awoooi::incident {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

Alert Firing(std::string severity = "critical", absl::Time starts = kT0) {
  Alert a;
  a.status = AlertStatus::kFiring;
  a.labels = {{"alertname", "HighErrorRate"}, {"severity", std::move(severity)}};
  a.starts_at = starts;
  return a;
}

Alert Resolved(absl::Time starts = kT0, absl::Time ends = kT0 + absl::Minutes(5)) {
  Alert a = Firing();
  a.status = AlertStatus::kResolved;
  a.starts_at = starts;
  a.ends_at = ends;
  return a;
}

IncidentState FiringIncident(int64_t firing = 1, std::string severity = "warning") {
  return IncidentState{true, absl::InfinitePast(), firing, std::move(severity), 3};
}

IncidentState ResolvedIncident(absl::Time resolved_at) {
  return IncidentState{false, resolved_at, 0, "critical", 5};
}

TEST(PlaceTest, TheFirstAlertOfAGroupOpensAnIncident) {
  EXPECT_EQ(Place(std::nullopt, Firing(), kT0, {}), Placement::kOpenNew);
}

TEST(PlaceTest, AlertsJoinAFiringIncident) {
  EXPECT_EQ(Place(FiringIncident(), Firing(), kT0, {}), Placement::kAttach);
  EXPECT_EQ(Place(FiringIncident(), Resolved(), kT0, {}), Placement::kAttach);
}

TEST(PlaceTest, AResolvedIncidentReopensWithinTheWindowAndIsReplacedAfterIt) {
  Rules rules{absl::Hours(1)};
  auto resolved = ResolvedIncident(kT0);
  EXPECT_EQ(Place(resolved, Firing(), kT0 + absl::Minutes(59), rules), Placement::kReopen);
  EXPECT_EQ(Place(resolved, Firing(), kT0 + absl::Minutes(61), rules), Placement::kOpenNew);
}

TEST(PlaceTest, AResolvedDeliveryNeverOpensOrReopens) {
  EXPECT_EQ(Place(ResolvedIncident(kT0), Resolved(), kT0 + absl::Hours(5), {}), Placement::kAttach);
}

TEST(ApplyTest, ANewAlertOpensAFiringIncidentWithItsSeverity) {
  Transition t = Apply({}, Placement::kOpenNew, std::nullopt, Firing("critical"), kT0);
  EXPECT_TRUE(t.alert_created);
  EXPECT_TRUE(t.alert_firing);
  EXPECT_TRUE(t.status_changed);
  EXPECT_TRUE(t.incident.firing);
  EXPECT_EQ(t.incident.firing_count, 1);
  EXPECT_EQ(t.incident.severity, "critical");
  EXPECT_EQ(t.incident.version, 1);
  EXPECT_EQ(t.incident.resolved_at, absl::InfinitePast());
}

TEST(ApplyTest, SeverityOnlyEscalatesWhileOpen) {
  Transition up =
      Apply(FiringIncident(1, "warning"), Placement::kAttach, std::nullopt, Firing("critical"), kT0);
  EXPECT_EQ(up.incident.severity, "critical");
  Transition down =
      Apply(FiringIncident(1, "critical"), Placement::kAttach, std::nullopt, Firing("info"), kT0);
  EXPECT_EQ(down.incident.severity, "critical");
  Transition unlabelled = Apply({}, Placement::kOpenNew, std::nullopt, Firing(""), kT0);
  EXPECT_EQ(unlabelled.incident.severity, "warning");
}

TEST(ApplyTest, TheSameFingerprintIsUpdatedNotDuplicatedAndARepeatIsNotMaterial) {
  StoredAlertState stored{true, kT0, absl::InfinitePast()};
  Transition t = Apply(FiringIncident(), Placement::kAttach, stored, Firing(), kT0 + absl::Seconds(30));
  EXPECT_FALSE(t.alert_created);
  EXPECT_FALSE(t.status_changed);
  EXPECT_FALSE(t.material);
  EXPECT_EQ(t.incident.version, 3);
  EXPECT_EQ(t.incident.firing_count, 1);
}

TEST(ApplyTest, TheLastResolvedAlertResolvesTheIncident) {
  StoredAlertState stored{true, kT0, absl::InfinitePast()};
  absl::Time now = kT0 + absl::Minutes(6);
  Transition t = Apply(FiringIncident(1), Placement::kAttach, stored, Resolved(), now);
  EXPECT_FALSE(t.alert_firing);
  EXPECT_TRUE(t.status_changed);
  EXPECT_TRUE(t.incident_resolved);
  EXPECT_FALSE(t.incident.firing);
  EXPECT_EQ(t.incident.resolved_at, now);
  EXPECT_EQ(t.incident.version, 4);
}

TEST(ApplyTest, OneOfTwoFiringAlertsResolvingKeepsTheIncidentFiring) {
  StoredAlertState stored{true, kT0, absl::InfinitePast()};
  Transition t = Apply(FiringIncident(2), Placement::kAttach, stored, Resolved(), kT0 + absl::Minutes(6));
  EXPECT_FALSE(t.incident_resolved);
  EXPECT_TRUE(t.incident.firing);
  EXPECT_EQ(t.incident.firing_count, 1);
}

TEST(ApplyTest, ReopeningFiresTheIncidentAgain) {
  StoredAlertState stored{false, kT0, kT0 + absl::Minutes(5)};
  Transition t = Apply(ResolvedIncident(kT0 + absl::Minutes(5)), Placement::kReopen, stored,
                       Firing("critical", kT0 + absl::Minutes(10)), kT0 + absl::Minutes(10));
  EXPECT_TRUE(t.alert_firing);
  EXPECT_TRUE(t.incident.firing);
  EXPECT_EQ(t.incident.resolved_at, absl::InfinitePast());
  EXPECT_TRUE(t.material);
}

TEST(ApplyTest, AStaleFiringDeliveryAfterTheResolutionDoesNotFlipTheAlertBack) {
  // Alertmanager retried an old "firing" notification after the "resolved" one landed.
  StoredAlertState stored{false, kT0, kT0 + absl::Minutes(5)};
  Transition t = Apply(ResolvedIncident(kT0 + absl::Minutes(5)), Placement::kReopen, stored,
                       Firing("critical", kT0), kT0 + absl::Minutes(6));
  EXPECT_FALSE(t.alert_firing);
  EXPECT_TRUE(t.keep_stored_times);
  EXPECT_FALSE(t.incident.firing);
  EXPECT_EQ(t.incident.resolved_at, kT0 + absl::Minutes(5));  // keeps its resolution time
  EXPECT_FALSE(t.status_changed);
}

TEST(ApplyTest, AStaleResolvedDeliveryFromAnEarlierEpisodeDoesNotResolveTheNewOne) {
  // The alert fired again at T0+10m; a resolution that ended at T0+5m arrives late.
  StoredAlertState stored{true, kT0 + absl::Minutes(10), absl::InfinitePast()};
  Transition t = Apply(FiringIncident(1), Placement::kAttach, stored, Resolved(kT0, kT0 + absl::Minutes(5)),
                       kT0 + absl::Minutes(11));
  EXPECT_TRUE(t.alert_firing);
  EXPECT_TRUE(t.keep_stored_times);
  EXPECT_TRUE(t.incident.firing);
  EXPECT_FALSE(t.incident_resolved);
}

TEST(ApplyTest, AResolvedAlertForAnUnknownGroupOpensAnIncidentAlreadyResolved) {
  Transition t = Apply({}, Placement::kOpenNew, std::nullopt, Resolved(), kT0);
  EXPECT_FALSE(t.incident.firing);
  EXPECT_EQ(t.incident.resolved_at, kT0);
  EXPECT_FALSE(t.incident_resolved);  // it never fired here
}

}  // namespace
}  // namespace awoooi::incident
