using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A competitor (竞争对手) met on deals: what they are good and bad at, for the reps preparing a pitch. Opportunities
/// link the competitors they run against (<see cref="OpportunityCompetitor"/>), and a lost opportunity may name the one
/// it was lost to.
/// </summary>
[AuditEntityType("competitor")]
internal sealed class Competitor : IAuditable
{
    public const int MaxNameLength = 200;
    public const int MaxWebsiteLength = 300;
    public const int MaxTextLength = 2000;
    public const int MaxNotesLength = 4000;

    private Competitor()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public string? Website { get; private set; }

    /// <summary>What they do well (优势).</summary>
    public string? Strengths { get; private set; }

    /// <summary>Where they are weak (劣势).</summary>
    public string? Weaknesses { get; private set; }

    public string? Notes { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Competitor Create(string name, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Name = name.Trim(), CreatedAt = now, UpdatedAt = now };

    public void Update(string name, string? website, string? strengths, string? weaknesses, string? notes, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        Website = Clean(website);
        Strengths = Clean(strengths);
        Weaknesses = Clean(weaknesses);
        Notes = Clean(notes);
        UpdatedAt = now;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>An opportunity runs against a competitor (many-to-many). Kept after the opportunity closes: the stats read it.</summary>
internal sealed class OpportunityCompetitor
{
    private OpportunityCompetitor()
    {
    }

    public Guid OpportunityId { get; private set; }

    public Guid CompetitorId { get; private set; }

    public DateTimeOffset AddedAt { get; private set; }

    public Guid? AddedBy { get; private set; }

    public static OpportunityCompetitor Create(Guid opportunityId, Guid competitorId, Guid? addedBy, DateTimeOffset now) =>
        new() { OpportunityId = opportunityId, CompetitorId = competitorId, AddedBy = addedBy, AddedAt = now };
}
