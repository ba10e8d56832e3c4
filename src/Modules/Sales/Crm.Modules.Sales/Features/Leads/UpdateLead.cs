using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>
/// A JSON merge patch of a lead: absent members stay, <c>null</c> clears (lists become empty). The owner and the
/// status belong to their actions and answer 400 naming the action. Disqualified and converted leads are closed (409).
/// </summary>
/// <param name="CompanyName">Company.</param>
/// <param name="PersonName">Person.</param>
/// <param name="Title">The person's job title.</param>
/// <param name="Source">Source.</param>
/// <param name="CampaignId">Campaign.</param>
/// <param name="Phones">The complete new list of phones.</param>
/// <param name="Emails">The complete new list of emails.</param>
/// <param name="Province">Province.</param>
/// <param name="City">City.</param>
/// <param name="Industry">Industry.</param>
/// <param name="EstimatedValue">Estimated deal value.</param>
/// <param name="Currency">ISO 4217 currency (null resets to CNY).</param>
/// <param name="Score">Score 0 to 100.</param>
/// <param name="PartnerId">The agent or distributor who brought it.</param>
/// <param name="Notes">Notes.</param>
/// <param name="OwnerId">Not patchable (400): use POST /api/v1/sales/leads/{id}/assign.</param>
/// <param name="Status">Not patchable (400): use the qualify, disqualify and convert actions, or log a follow-up.</param>
internal sealed record UpdateLeadRequest(
    Optional<string?> CompanyName,
    Optional<string?> PersonName,
    Optional<string?> Title,
    Optional<string?> Source,
    Optional<Guid?> CampaignId,
    Optional<IReadOnlyList<string>?> Phones,
    Optional<IReadOnlyList<string>?> Emails,
    Optional<string?> Province,
    Optional<string?> City,
    Optional<string?> Industry,
    Optional<decimal?> EstimatedValue,
    Optional<string?> Currency,
    Optional<int?> Score,
    Optional<Guid?> PartnerId,
    Optional<string?> Notes,
    Optional<JsonElement> OwnerId,
    Optional<JsonElement> Status) : IRequest<VersionedLead>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public LeadDetails MergeInto(LeadDetails current) => new(
        Source.Or(current.Source),
        CampaignId.Or(current.CampaignId),
        CompanyName.Or(current.CompanyName),
        PersonName.Or(current.PersonName),
        Title.Or(current.Title),
        Phones.Or(current.Phones) ?? [],
        Emails.Or(current.Emails) ?? [],
        Province.Or(current.Province),
        City.Or(current.City),
        Industry.Or(current.Industry),
        EstimatedValue.Or(current.EstimatedValue),
        Currency.Or(current.Currency),
        Score.Or(current.Score),
        PartnerId.Or(current.PartnerId),
        Notes.Or(current.Notes));
}

internal sealed class UpdateLeadValidator : AbstractValidator<UpdateLeadRequest>
{
    public UpdateLeadValidator()
    {
        RuleFor(r => r.OwnerId).Must(o => !o.HasValue)
            .WithMessage("ownerId is not patchable: use POST /api/v1/sales/leads/{id}/assign.").OverridePropertyName("ownerId");
        RuleFor(r => r.Status).Must(s => !s.HasValue)
            .WithMessage("status is not patchable: use the qualify, disqualify and convert actions (a follow-up moves new to contacted).").OverridePropertyName("status");
    }
}

internal sealed class UpdateLeadHandler(SalesDbContext db, IAccessScopeProvider access, LeadDetailsValidator validator, TimeProvider time)
    : IRequestHandler<UpdateLeadRequest, VersionedLead>
{
    public async Task<VersionedLead> Handle(UpdateLeadRequest request, CancellationToken cancellationToken)
    {
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(lead.Version);
        if (!lead.IsOpen)
        {
            throw LeadsProblems.LeadClosed(lead);
        }

        // Validated as a whole after merging: "company or person" and "city needs a province" span fields.
        var details = request.MergeInto(lead.Details());
        await validator.EnsureValidAsync(details, cancellationToken);
        if (request.PartnerId is { HasValue: true, Value: { } partnerId } && partnerId != lead.PartnerId)
        {
            await LeadAccess.EnsurePartnerAsync(db, partnerId, cancellationToken);
        }

        var before = LeadKeyLocks.Keys(lead).ToHashSet(StringComparer.Ordinal);
        lead.Update(details, time.UtcNow());

        // An email or phone the lead gains is locked until the commit, as on create: a lead import chunk matching it waits and finds this lead.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LeadKeyLocks.LockAsync(db, LeadKeyLocks.Keys(lead).Where(k => !before.Contains(k)), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return LeadProjection.Versioned(lead);
    }
}
