using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>A sales territory (领域划分): provinces and industries, and the reps and teams who cover them.</summary>
[AuditEntityType("territory")]
internal sealed class Territory : IAuditable
{
    private Territory()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    /// <summary>Empty: any province.</summary>
    public List<string> Provinces { get; private set; } = [];

    /// <summary>Empty: any industry.</summary>
    public List<string> Industries { get; private set; } = [];

    /// <summary>The reps who work its leads, in the order round robin visits them.</summary>
    public List<Guid> UserIds { get; private set; } = [];

    /// <summary>
    /// Teams whose active sales reps (sub-teams included, as they are when a lead is assigned) also work its leads,
    /// after <see cref="UserIds"/>, by user id.
    /// </summary>
    public List<Guid> TeamIds { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Territory Create(
        string name, IEnumerable<string> provinces, IEnumerable<string> industries, IEnumerable<Guid> userIds, IEnumerable<Guid> teamIds, DateTimeOffset now)
    {
        var territory = new Territory { Id = Guid.CreateVersion7(now), CreatedAt = now };
        territory.Update(name, provinces, industries, userIds, teamIds, now);
        return territory;
    }

    public void Update(
        string name, IEnumerable<string> provinces, IEnumerable<string> industries, IEnumerable<Guid> userIds, IEnumerable<Guid> teamIds, DateTimeOffset now)
    {
        Name = name.Trim();
        Provinces = Clean(provinces);
        Industries = Clean(industries);
        UserIds = userIds.Distinct().ToList();
        TeamIds = teamIds.Distinct().ToList();
        UpdatedAt = now;
    }

    /// <summary>Whether a lead from this province and industry falls in the territory.</summary>
    public bool Covers(string? province, string? industry) =>
        (Provinces.Count == 0 || (province is not null && Provinces.Contains(province))) &&
        (Industries.Count == 0 || (industry is not null && Industries.Contains(industry)));

    private static List<string> Clean(IEnumerable<string> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.Ordinal).ToList();
}
