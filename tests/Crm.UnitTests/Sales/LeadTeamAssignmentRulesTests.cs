using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class LeadTeamAssignmentRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly Guid A = Guid.Parse("0193a000-0000-7000-8000-00000000000a");
    private static readonly Guid B = Guid.Parse("0193a000-0000-7000-8000-00000000000b");
    private static readonly Guid C = Guid.Parse("0193a000-0000-7000-8000-00000000000c");
    private static readonly Guid D = Guid.Parse("0193a000-0000-7000-8000-00000000000d");

    private static AssignmentRule Rule(IReadOnlyList<Guid> userIds, Guid? teamId) =>
        AssignmentRule.Create(new AssignmentRuleSettings("团队", 1, true, null, [], [], [], AssignmentStrategy.RoundRobin, userIds, teamId), Now);

    [Test]
    public void Team_members_follow_the_listed_users_sorted_by_id_whatever_order_the_directory_returns()
    {
        var rule = Rule([D, B], Guid.CreateVersion7());

        Assert.Multiple(() =>
        {
            Assert.That(AssignmentCandidates.Order(rule.UserIds, [C, B, A, C]), Is.EqualTo(new[] { D, B, A, C }), "listed first as listed, B not twice, members by id");
            Assert.That(AssignmentCandidates.Order(rule.UserIds, [A, C]), Is.EqualTo(AssignmentCandidates.Order(rule.UserIds, [C, A])));
        });
    }

    [Test]
    public void A_team_only_rule_walks_its_members_by_id_and_a_list_only_rule_keeps_its_list()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AssignmentCandidates.Order(Rule([], Guid.CreateVersion7()).UserIds, [D, A, C]), Is.EqualTo(new[] { A, C, D }));
            Assert.That(AssignmentCandidates.Order(Rule([C, A], null).UserIds, []), Is.EqualTo(new[] { C, A }));
        });
    }

    [Test]
    public void The_team_is_part_of_the_settings_and_can_be_cleared()
    {
        var team = Guid.CreateVersion7();
        var rule = Rule([A], team);
        Assert.That(rule.Settings().TeamId, Is.EqualTo(team));

        rule.Update(rule.Settings() with { TeamId = null }, Now.AddMinutes(1));
        Assert.That(rule.TeamId, Is.Null);
    }
}
