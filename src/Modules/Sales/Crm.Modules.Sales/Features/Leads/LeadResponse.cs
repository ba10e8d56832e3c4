using System.Linq.Expressions;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Paging;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>A lead (线索).</summary>
/// <param name="Id">Lead id.</param>
/// <param name="Source">Where it came from (website, exhibition, referral, ...).</param>
/// <param name="CampaignId">The marketing campaign that produced it.</param>
/// <param name="CompanyName">Company.</param>
/// <param name="PersonName">Person.</param>
/// <param name="Title">The person's job title.</param>
/// <param name="Phones">Phones (digits, a leading + kept).</param>
/// <param name="Emails">Emails (lower-case).</param>
/// <param name="Province">Province.</param>
/// <param name="City">City.</param>
/// <param name="Industry">Industry.</param>
/// <param name="EstimatedValue">Estimated deal value.</param>
/// <param name="Currency">ISO 4217 currency of the estimated value.</param>
/// <param name="Score">Score 0 to 100.</param>
/// <param name="Status">new, contacted, qualified, disqualified or converted.</param>
/// <param name="DisqualificationReason">Why it was disqualified.</param>
/// <param name="OwnerId">Owner; null while unassigned.</param>
/// <param name="TeamId">The owner's team.</param>
/// <param name="PartnerId">The agent or distributor who brought it.</param>
/// <param name="Notes">Notes.</param>
/// <param name="LastFollowUpAt">Newest follow-up.</param>
/// <param name="QualifiedAt">When it was qualified.</param>
/// <param name="DisqualifiedAt">When it was disqualified.</param>
/// <param name="ConvertedCustomerId">The customer it became.</param>
/// <param name="ConvertedContactId">The contact it became.</param>
/// <param name="ConvertedOpportunityId">The opportunity it became.</param>
/// <param name="ConvertedAt">When it was converted.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record LeadResponse(
    Guid Id,
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
    string Currency,
    int? Score,
    LeadStatus Status,
    string? DisqualificationReason,
    Guid? OwnerId,
    Guid? TeamId,
    Guid? PartnerId,
    string? Notes,
    DateTimeOffset? LastFollowUpAt,
    DateTimeOffset? QualifiedAt,
    DateTimeOffset? DisqualifiedAt,
    Guid? ConvertedCustomerId,
    Guid? ConvertedContactId,
    Guid? ConvertedOpportunityId,
    DateTimeOffset? ConvertedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A lead with the row version that becomes its ETag.</summary>
internal sealed record VersionedLead(LeadResponse Lead, uint Version);

internal static class LeadProjection
{
    public static readonly Expression<Func<Lead, LeadResponse>> ToResponse = l => new LeadResponse(
        l.Id, l.Source, l.CampaignId, l.CompanyName, l.PersonName, l.Title, l.Phones, l.Emails, l.Province, l.City, l.Industry,
        l.EstimatedValue, l.Currency, l.Score, l.Status, l.DisqualificationReason, l.OwnerId, l.TeamId, l.PartnerId, l.Notes,
        l.LastFollowUpAt, l.QualifiedAt, l.DisqualifiedAt, l.ConvertedCustomerId, l.ConvertedContactId, l.ConvertedOpportunityId,
        l.ConvertedAt, l.CreatedAt, l.UpdatedAt);

    /// <summary>Sortable on indexed, non-null columns only; newest first by default.</summary>
    public static readonly SortDefinition<Lead, LeadResponse> Sort = new SortDefinition<Lead, LeadResponse>(l => l.Id, l => l.Id, "-createdAt")
        .Add("createdAt", l => l.CreatedAt, l => l.CreatedAt)
        .Add("updatedAt", l => l.UpdatedAt, l => l.UpdatedAt);

    private static readonly Func<Lead, LeadResponse> Compiled = ToResponse.Compile();

    public static LeadResponse From(Lead lead) => Compiled(lead);

    public static VersionedLead Versioned(Lead lead) => new(From(lead), lead.Version);
}
