using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>A lead (线索): a person or company that may buy, not yet a customer.</summary>
[AuditEntityType("lead")]
internal sealed class Lead : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";

    private Lead()
    {
    }

    public Guid Id { get; private set; }

    public string? Source { get; private set; }

    /// <summary>The marketing campaign that produced it; no foreign key, Marketing owns campaigns.</summary>
    public Guid? CampaignId { get; private set; }

    public string? CompanyName { get; private set; }

    public string? PersonName { get; private set; }

    public string? Title { get; private set; }

    public List<string> Phones { get; private set; } = [];

    public List<string> Emails { get; private set; } = [];

    public string? Province { get; private set; }

    public string? City { get; private set; }

    public string? Industry { get; private set; }

    public decimal? EstimatedValue { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    public int? Score { get; private set; }

    public LeadStatus Status { get; private set; }

    public string? DisqualificationReason { get; private set; }

    /// <summary>Null while unassigned.</summary>
    public Guid? OwnerId { get; private set; }

    public Guid? TeamId { get; private set; }

    /// <summary>The agent or distributor who brought it.</summary>
    public Guid? PartnerId { get; private set; }

    public string? Notes { get; private set; }

    public DateTimeOffset? LastFollowUpAt { get; private set; }

    public DateTimeOffset? QualifiedAt { get; private set; }

    public DateTimeOffset? DisqualifiedAt { get; private set; }

    public Guid? ConvertedCustomerId { get; private set; }

    public Guid? ConvertedContactId { get; private set; }

    public Guid? ConvertedOpportunityId { get; private set; }

    public DateTimeOffset? ConvertedAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Lower-cased company, person, phones and emails under the trigram index for q.</summary>
    [AuditIgnored]
    public string SearchText { get; private set; } = string.Empty;

    public uint Version { get; private set; }

    public bool IsOpen => Status is LeadStatus.New or LeadStatus.Contacted or LeadStatus.Qualified;

    public static Lead Create(LeadDetails details, Guid? ownerId, Guid? teamId, DateTimeOffset now)
    {
        var lead = new Lead { Id = Guid.CreateVersion7(now), Status = LeadStatus.New, OwnerId = ownerId, TeamId = teamId, CreatedAt = now, UpdatedAt = now };
        lead.Apply(details);
        return lead;
    }

    public LeadDetails Details() => new(
        Source, CampaignId, CompanyName, PersonName, Title, Phones, Emails, Province, City, Industry, EstimatedValue, Currency, Score, PartnerId, Notes);

    public void Update(LeadDetails details, DateTimeOffset now)
    {
        Apply(details);
        UpdatedAt = now;
    }

    public void AssignTo(Guid? ownerId, Guid? teamId, DateTimeOffset now)
    {
        OwnerId = ownerId;
        TeamId = teamId;
        UpdatedAt = now;
    }

    /// <summary>Qualified (有效线索): worth converting. Allowed from new and contacted.</summary>
    public bool Qualify(DateTimeOffset now)
    {
        if (Status is not (LeadStatus.New or LeadStatus.Contacted))
        {
            return false;
        }

        Status = LeadStatus.Qualified;
        QualifiedAt = now;
        UpdatedAt = now;
        return true;
    }

    /// <summary>Disqualified (无效线索) with a reason. Allowed from any open status.</summary>
    public bool Disqualify(string reason, DateTimeOffset now)
    {
        if (!IsOpen)
        {
            return false;
        }

        Status = LeadStatus.Disqualified;
        DisqualificationReason = reason.Trim();
        DisqualifiedAt = now;
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Converted (转化): the lead became, or was linked to, a customer (and possibly a contact and an opportunity),
    /// recorded as its lineage. Allowed from any open status; the owner is the one the customer and opportunity got,
    /// so an unassigned lead is taken by whoever converts it.
    /// </summary>
    public bool Convert(Guid customerId, Guid? contactId, Guid? opportunityId, Guid ownerId, Guid? teamId, DateTimeOffset now)
    {
        if (!IsOpen)
        {
            return false;
        }

        Status = LeadStatus.Converted;
        ConvertedCustomerId = customerId;
        ConvertedContactId = contactId;
        ConvertedOpportunityId = opportunityId;
        ConvertedAt = now;
        OwnerId = ownerId;
        TeamId = teamId;
        UpdatedAt = now;
        return true;
    }

    /// <summary>A follow-up of a new lead means it has been contacted; later statuses stay.</summary>
    public void RecordFollowUp(DateTimeOffset occurredAt, DateTimeOffset now)
    {
        if (Status == LeadStatus.New)
        {
            Status = LeadStatus.Contacted;
        }

        if (LastFollowUpAt is null || LastFollowUpAt < occurredAt)
        {
            LastFollowUpAt = occurredAt;
        }

        UpdatedAt = now;
    }

    private void Apply(LeadDetails details)
    {
        Source = Clean(details.Source);
        CampaignId = details.CampaignId;
        CompanyName = Clean(details.CompanyName);
        PersonName = Clean(details.PersonName);
        Title = Clean(details.Title);
        Phones = details.Phones.Select(NormalizePhone).Distinct(StringComparer.Ordinal).ToList();
        Emails = details.Emails.Select(NormalizeEmail).Distinct(StringComparer.Ordinal).ToList();
        Province = Clean(details.Province);
        City = Clean(details.City);
        Industry = Clean(details.Industry);
        EstimatedValue = details.EstimatedValue;
        Currency = string.IsNullOrWhiteSpace(details.Currency) ? DefaultCurrency : details.Currency.Trim().ToUpperInvariant();
        Score = details.Score;
        PartnerId = details.PartnerId;
        Notes = Clean(details.Notes);
        SearchText = string.Join(' ', new[] { CompanyName, PersonName }.Concat(Phones).Concat(Emails).Where(s => !string.IsNullOrEmpty(s)))
            .ToLowerInvariant();
    }

    /// <summary>Trimmed and lower-case: emails are compared case-insensitively.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Digits only, a leading + kept: the same number typed two ways is one number.</summary>
    public static string NormalizePhone(string phone)
    {
        var trimmed = phone.Trim();
        var digits = new string(trimmed.Where(char.IsAsciiDigit).ToArray());
        return trimmed.StartsWith('+') ? "+" + digits : digits;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The editable fields of a lead.</summary>
internal sealed record LeadDetails(
    string? Source,
    Guid? CampaignId,
    string? CompanyName,
    string? PersonName,
    string? Title,
    IReadOnlyList<string> Phones,
    IReadOnlyList<string> Emails,
    string? Province,
    string? City,
    string? Industry,
    decimal? EstimatedValue,
    string? Currency,
    int? Score,
    Guid? PartnerId,
    string? Notes);

/// <summary>Where a lead is in its life.</summary>
internal enum LeadStatus
{
    /// <summary>Not yet worked.</summary>
    New,

    /// <summary>Followed up at least once.</summary>
    Contacted,

    /// <summary>有效线索: worth converting.</summary>
    Qualified,

    /// <summary>无效线索, with a reason.</summary>
    Disqualified,

    /// <summary>Turned into a customer (and possibly a contact and an opportunity).</summary>
    Converted,
}

/// <summary>A follow-up (跟进记录) of a lead.</summary>
internal sealed class LeadFollowUp
{
    public const int MaxContentLength = 4000;

    private LeadFollowUp()
    {
    }

    public Guid Id { get; private set; }

    public Guid LeadId { get; private set; }

    public LeadFollowUpKind Kind { get; private set; }

    public string Content { get; private set; } = string.Empty;

    public DateTimeOffset OccurredAt { get; private set; }

    public DateTimeOffset? NextFollowUpAt { get; private set; }

    public Guid? AuthorId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static LeadFollowUp Create(Guid leadId, LeadFollowUpKind kind, string content, DateTimeOffset occurredAt, DateTimeOffset? next, Guid? authorId, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now), LeadId = leadId, Kind = kind, Content = content.Trim(), OccurredAt = occurredAt, NextFollowUpAt = next,
            AuthorId = authorId, CreatedAt = now,
        };
}

/// <summary>How a lead was followed up.</summary>
internal enum LeadFollowUpKind
{
    /// <summary>A note.</summary>
    Note,

    /// <summary>A phone call.</summary>
    Call,

    /// <summary>An email.</summary>
    Email,

    /// <summary>A visit.</summary>
    Visit,

    /// <summary>An instant message (WeChat and the like).</summary>
    Message,
}
