using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>The order round robin and least loaded walk, for rules and territories alike.</summary>
internal static class AssignmentCandidates
{
    /// <summary>
    /// The listed users as listed, then the team members that are not listed, by user id, once each. Sorting the members
    /// keeps the order stable while the rotation pointer advances, whatever order the organisation query returns them in,
    /// so every member gets one turn per cycle.
    /// </summary>
    public static IReadOnlyList<Guid> Order(IReadOnlyList<Guid> listed, IEnumerable<Guid> teamMembers)
    {
        var named = listed.ToHashSet();
        return listed.Concat(teamMembers.Where(id => !named.Contains(id)).Distinct().Order()).ToList();
    }
}

/// <summary>
/// One lead assignment rule (线索分配规则). Rules are evaluated in ascending <see cref="Position"/>; the first whose
/// condition matches the lead picks its owner with its strategy.
/// </summary>
[AuditEntityType("assignmentRule")]
internal sealed class AssignmentRule : IAuditable
{
    private AssignmentRule()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    /// <summary>Evaluation order, ascending; unique.</summary>
    public int Position { get; private set; }

    public bool Active { get; private set; }

    /// <summary>Condition: the lead falls in this territory.</summary>
    public Guid? TerritoryId { get; private set; }

    /// <summary>Condition: the lead's province is one of these (empty: any).</summary>
    public List<string> Provinces { get; private set; } = [];

    /// <summary>Condition: the lead's industry is one of these (empty: any).</summary>
    public List<string> Industries { get; private set; } = [];

    /// <summary>Condition: the lead's source is one of these (empty: any).</summary>
    public List<string> Sources { get; private set; } = [];

    public AssignmentStrategy Strategy { get; private set; }

    /// <summary>The users round robin and least loaded choose from (the territory strategy uses the territory's users).</summary>
    public List<Guid> UserIds { get; private set; } = [];

    /// <summary>
    /// Round robin and least loaded also choose from this team's sales reps, sub-teams included, as the organisation
    /// stands when a lead is assigned (after <see cref="UserIds"/>, in user id order).
    /// </summary>
    public Guid? TeamId { get; private set; }

    /// <summary>
    /// How many leads round robin has handed out; the next lead goes to the candidate at this count modulo the
    /// number of candidates. Moved only by one atomic UPDATE (see LeadAssigner).
    /// </summary>
    [AuditIgnored]
    public long Rotation { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static AssignmentRule Create(AssignmentRuleSettings settings, DateTimeOffset now)
    {
        var rule = new AssignmentRule { Id = Guid.CreateVersion7(now), CreatedAt = now };
        rule.Update(settings, now);
        return rule;
    }

    public AssignmentRuleSettings Settings() => new(Name, Position, Active, TerritoryId, Provinces, Industries, Sources, Strategy, UserIds, TeamId);

    public void Update(AssignmentRuleSettings settings, DateTimeOffset now)
    {
        Name = settings.Name.Trim();
        Position = settings.Position;
        Active = settings.Active;
        TerritoryId = settings.TerritoryId;
        Provinces = Clean(settings.Provinces);
        Industries = Clean(settings.Industries);
        Sources = Clean(settings.Sources);
        Strategy = settings.Strategy;
        UserIds = settings.UserIds.Distinct().ToList();
        TeamId = settings.TeamId;
        UpdatedAt = now;
    }

    /// <summary>Whether the lead meets the explicit conditions (the territory condition is checked with the territory).</summary>
    public bool Matches(string? province, string? industry, string? source) =>
        (Provinces.Count == 0 || (province is not null && Provinces.Contains(province))) &&
        (Industries.Count == 0 || (industry is not null && Industries.Contains(industry))) &&
        (Sources.Count == 0 || (source is not null && Sources.Contains(source)));

    private static List<string> Clean(IEnumerable<string> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>The editable settings of a rule.</summary>
internal sealed record AssignmentRuleSettings(
    string Name,
    int Position,
    bool Active,
    Guid? TerritoryId,
    IReadOnlyList<string> Provinces,
    IReadOnlyList<string> Industries,
    IReadOnlyList<string> Sources,
    AssignmentStrategy Strategy,
    IReadOnlyList<Guid> UserIds,
    Guid? TeamId = null);

/// <summary>How a matching rule picks the owner.</summary>
internal enum AssignmentStrategy
{
    /// <summary>Round robin among the territory's users.</summary>
    Territory,

    /// <summary>Each user of the list (then of the team) in turn.</summary>
    RoundRobin,

    /// <summary>The user of the list (or of the team) with the fewest open leads (new, contacted, qualified).</summary>
    LeastLoaded,
}
