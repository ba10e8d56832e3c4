using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Assignment;

/// <summary>
/// Applies the assignment rules to leads without owner: the first active rule (by position) whose condition
/// matches and which has at least one active user picks the owner; no such rule leaves the lead unassigned.
/// A rule naming a team reads the team's members when it runs, so joiners get leads and leavers stop getting them
/// without anyone editing the rule. Must run inside the transaction that saves the leads, so a rolled-back create does not move a rotation.
/// </summary>
internal sealed class LeadAssigner(SalesDbContext db, IUserDirectory users, ITeamDirectory teams, TimeProvider time)
{
    public async Task AssignAsync(IReadOnlyList<Lead> leads, CancellationToken ct)
    {
        var unassigned = leads.Where(l => l.OwnerId is null).ToList();
        if (unassigned.Count == 0)
        {
            return;
        }

        var rules = await db.AssignmentRules.AsNoTracking().Where(r => r.Active).OrderBy(r => r.Position).ToListAsync(ct);
        if (rules.Count == 0)
        {
            return;
        }

        var territoryIds = rules.Where(r => r.TerritoryId is not null).Select(r => r.TerritoryId!.Value).Distinct().ToList();
        var territories = await db.Territories.AsNoTracking().Where(t => territoryIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var candidates = await CandidatesAsync(rules, territories, ct);

        var byRule = unassigned
            .Select(lead => (Lead: lead, Rule: rules.FirstOrDefault(r => candidates[r.Id].Count > 0 && Matches(r, territories, lead))))
            .Where(x => x.Rule is not null)
            .GroupBy(x => x.Rule!.Id, x => x.Lead);
        var now = time.UtcNow();
        foreach (var group in byRule)
        {
            var rule = rules.Single(r => r.Id == group.Key);
            var users = candidates[rule.Id];
            var batch = group.ToList();
            var owners = rule.Strategy == AssignmentStrategy.LeastLoaded
                ? await LeastLoadedAsync(rule, users, batch.Count, ct)
                : await RoundRobinAsync(rule, users, batch.Count, ct);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].AssignTo(owners[i].Id, owners[i].TeamId, now);
            }
        }
    }

    private static bool Matches(AssignmentRule rule, Dictionary<Guid, Territory> territories, Lead lead) =>
        rule.Matches(lead.Province, lead.Industry, lead.Source) &&
        (rule.TerritoryId is not { } territoryId || (territories.TryGetValue(territoryId, out var territory) && territory.Covers(lead.Province, lead.Industry)));

    /// <summary>
    /// Each rule's active candidates: the listed users in their order (the territory's for <c>territory</c>, the rule's
    /// otherwise) followed by the active sales reps of the named team subtrees by user id (the territory's teams, or the
    /// rule's team; see <see cref="AssignmentCandidates.Order"/>). One recursive query per named team and one user lookup for everyone.
    /// </summary>
    private async Task<Dictionary<Guid, List<UserSummary>>> CandidatesAsync(List<AssignmentRule> rules, Dictionary<Guid, Territory> territories, CancellationToken ct)
    {
        Territory? TerritoryOf(AssignmentRule rule) =>
            rule.Strategy == AssignmentStrategy.Territory && rule.TerritoryId is { } id && territories.TryGetValue(id, out var territory) ? territory : null;
        IReadOnlyList<Guid> Listed(AssignmentRule rule) => rule.Strategy == AssignmentStrategy.Territory ? TerritoryOf(rule)?.UserIds ?? [] : rule.UserIds;
        IEnumerable<Guid> Teams(AssignmentRule rule) => rule.Strategy == AssignmentStrategy.Territory
            ? TerritoryOf(rule)?.TeamIds ?? []
            : rule.TeamId is { } teamId ? [teamId] : [];

        var members = new Dictionary<Guid, List<Guid>>();
        foreach (var teamId in rules.SelectMany(Teams).Distinct())
        {
            // A team deleted since the rule or territory was saved simply has no members.
            var subtree = await teams.GetSubtreeAsync(teamId, ct);
            members[teamId] = subtree?.Members.Select(m => m.UserId).ToList() ?? [];
        }

        var all = rules.SelectMany(Listed).Concat(members.Values.SelectMany(m => m)).Distinct().ToList();
        var found = await users.FindByIdsAsync(all, ct);
        UserSummary? ActiveUser(Guid id) => found.TryGetValue(id, out var user) && user.Active ? user : null;

        // Only reps work a team's leads: its manager, and marketing or service users in the same tree, do not get them
        // (a manager who also sells is named in userIds, or holds the salesRep role too).
        IEnumerable<Guid> TeamReps(AssignmentRule rule) =>
            Teams(rule).SelectMany(teamId => members[teamId]).Where(id => ActiveUser(id)?.Roles.Contains(Roles.SalesRep) == true);

        return rules.ToDictionary(
            r => r.Id,
            r => AssignmentCandidates.Order(Listed(r), TeamReps(r)).Select(ActiveUser).OfType<UserSummary>().ToList());
    }

    /// <summary>
    /// Claims <paramref name="count"/> consecutive turns with one UPDATE ... RETURNING: the row lock it takes is held
    /// to commit, so concurrent creates queue on it and each gets distinct turns; 30 leads over 3 users are 10 each.
    /// </summary>
    private async Task<List<UserSummary>> RoundRobinAsync(AssignmentRule rule, List<UserSummary> candidates, int count, CancellationToken ct)
    {
        // ToListAsync, not SingleAsync: EF would wrap the UPDATE in a SELECT, which PostgreSQL refuses.
        var returned = await db.Database
            .SqlQuery<long>($"UPDATE sales.assignment_rules SET rotation = rotation + {count} WHERE id = {rule.Id} RETURNING rotation - {count} AS \"Value\"")
            .ToListAsync(ct);
        var start = returned.Single();
        return Enumerable.Range(0, count).Select(i => candidates[(int)((start + i) % candidates.Count)]).ToList();
    }

    /// <summary>
    /// The candidate with the fewest open leads gets the next one (ties: candidate order). The rule row is locked first so
    /// concurrent assignments by the same rule count each other's leads instead of all picking the same user.
    /// </summary>
    private async Task<List<UserSummary>> LeastLoadedAsync(AssignmentRule rule, List<UserSummary> candidates, int count, CancellationToken ct)
    {
        await db.Database.SqlQuery<long>($"SELECT rotation AS \"Value\" FROM sales.assignment_rules WHERE id = {rule.Id} FOR UPDATE").ToListAsync(ct);
        var ids = candidates.Select(c => c.Id).ToList();
        var open = await db.Leads
            .Where(l => l.OwnerId != null && ids.Contains(l.OwnerId.Value) && (l.Status == LeadStatus.New || l.Status == LeadStatus.Contacted || l.Status == LeadStatus.Qualified))
            .GroupBy(l => l.OwnerId!.Value)
            .Select(g => new { OwnerId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.OwnerId, x => x.Count, ct);
        var load = candidates.Select(c => open.GetValueOrDefault(c.Id)).ToArray();
        var owners = new List<UserSummary>(count);
        for (var n = 0; n < count; n++)
        {
            var pick = 0;
            for (var i = 1; i < load.Length; i++)
            {
                if (load[i] < load[pick])
                {
                    pick = i;
                }
            }

            load[pick]++;
            owners.Add(candidates[pick]);
        }

        return owners;
    }
}
