using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>An opportunity (商业机会).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="CustomerId">The customer it is with.</param>
/// <param name="ContactId">The customer's contact, when known.</param>
/// <param name="LeadId">The lead it was converted from, if any.</param>
/// <param name="PipelineId">The pipeline it runs in.</param>
/// <param name="StageId">Its current stage.</param>
/// <param name="Status">open, won or lost (follows from the stage).</param>
/// <param name="Amount">Expected deal amount.</param>
/// <param name="Currency">ISO currency of the amount.</param>
/// <param name="Probability">Win probability in percent: the stage's default unless overridden.</param>
/// <param name="ExpectedCloseDate">Expected close date.</param>
/// <param name="OwnerId">Its owner.</param>
/// <param name="TeamId">The owner's team when it was assigned.</param>
/// <param name="PartnerId">The partner or distributor on the deal.</param>
/// <param name="StageEnteredAt">When it entered its current stage.</param>
/// <param name="ClosedAt">When it was won or lost.</param>
/// <param name="LostReason">Why it was lost (lost ones only).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Source">Where the deal came from.</param>
/// <param name="Description">Free description.</param>
/// <param name="LostToCompetitorId">The competitor it was lost to, when known (lost ones only).</param>
/// <param name="ExternalId">Its id in another system (ERP, an older CRM), unique when present.</param>
internal sealed record OpportunityResponse(
    Guid Id,
    string Name,
    Guid CustomerId,
    Guid? ContactId,
    Guid? LeadId,
    Guid PipelineId,
    Guid StageId,
    OpportunityStatus Status,
    decimal Amount,
    string Currency,
    int Probability,
    DateOnly? ExpectedCloseDate,
    Guid? OwnerId,
    Guid? TeamId,
    Guid? PartnerId,
    DateTimeOffset StageEnteredAt,
    DateTimeOffset? ClosedAt,
    string? LostReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Source,
    string? Description,
    Guid? LostToCompetitorId,
    string? ExternalId)
{
    public static OpportunityResponse From(Opportunity o) => new(
        o.Id, o.Name, o.CustomerId, o.ContactId, o.LeadId, o.PipelineId, o.StageId, o.Status, o.Amount, o.Currency, o.Probability,
        o.ExpectedCloseDate, o.OwnerId, o.TeamId, o.PartnerId, o.StageEnteredAt, o.ClosedAt, o.LostReason, o.CreatedAt, o.UpdatedAt,
        o.Source, o.Description, o.LostToCompetitorId, o.ExternalId);
}

/// <summary>An opportunity with the version its ETag carries.</summary>
internal sealed record VersionedOpportunity(OpportunityResponse Opportunity, uint Version)
{
    public static VersionedOpportunity From(Opportunity o) => new(OpportunityResponse.From(o), o.Version);
}
