using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Add a lead. Without <c>ownerId</c> the assignment rules pick the owner; when none matches it stays unassigned.</summary>
/// <param name="CompanyName">Company (companyName or personName is required).</param>
/// <param name="PersonName">Person.</param>
/// <param name="Title">The person's job title.</param>
/// <param name="Source">Where it came from (website, exhibition, referral, ...).</param>
/// <param name="CampaignId">The marketing campaign that produced it.</param>
/// <param name="Phones">Phones.</param>
/// <param name="Emails">Emails.</param>
/// <param name="Province">Province.</param>
/// <param name="City">City (needs a province).</param>
/// <param name="Industry">Industry.</param>
/// <param name="EstimatedValue">Estimated deal value (at least 0).</param>
/// <param name="Currency">ISO 4217 currency of the estimated value (default CNY).</param>
/// <param name="Score">Score 0 to 100.</param>
/// <param name="PartnerId">The agent or distributor who brought it (an active partner).</param>
/// <param name="Notes">Notes.</param>
/// <param name="OwnerId">Owner. The caller may name themselves; managers anyone in their team subtree, administrators anyone.</param>
internal sealed record CreateLeadRequest(
    string? CompanyName = null,
    string? PersonName = null,
    string? Title = null,
    string? Source = null,
    Guid? CampaignId = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? Province = null,
    string? City = null,
    string? Industry = null,
    decimal? EstimatedValue = null,
    string? Currency = null,
    int? Score = null,
    Guid? PartnerId = null,
    string? Notes = null,
    Guid? OwnerId = null) : IRequest<VersionedLead>
{
    public LeadDetails ToDetails() => new(
        Source, CampaignId, CompanyName, PersonName, Title, Phones ?? [], Emails ?? [], Province, City, Industry, EstimatedValue, Currency, Score, PartnerId, Notes);
}

internal sealed class CreateLeadValidator : AbstractValidator<CreateLeadRequest>
{
    private static readonly LeadDetailsValidator Details = new();

    public CreateLeadValidator() =>
        RuleFor(r => r.ToDetails()).Custom((details, context) =>
        {
            foreach (var failure in Details.Validate(details).Errors)
            {
                context.AddFailure(failure.PropertyName, failure.ErrorMessage);
            }
        });
}

internal sealed class CreateLeadHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, LeadAssigner assigner, TimeProvider time)
    : IRequestHandler<CreateLeadRequest, VersionedLead>
{
    public async Task<VersionedLead> Handle(CreateLeadRequest request, CancellationToken cancellationToken)
    {
        var details = request.ToDetails();
        await LeadAccess.EnsurePartnerAsync(db, details.PartnerId, cancellationToken);
        var owner = request.OwnerId is { } ownerId ? await LeadAccess.ResolveOwnerAsync(ownerId, access, users, cancellationToken) : null;

        var lead = Lead.Create(details, owner?.Id, owner?.TeamId, time.UtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Until the commit: a lead import chunk matching one of these emails or phones waits and then finds this lead.
        await LeadKeyLocks.LockAsync(db, LeadKeyLocks.Keys(lead), cancellationToken);
        if (owner is null)
        {
            // Inside the transaction: a rule's rotation moves only if the lead is saved.
            await assigner.AssignAsync([lead], cancellationToken);
        }

        db.Leads.Add(lead);
        db.AddIntegrationEvent(LeadIntegrationEvents.Created(lead));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return LeadProjection.Versioned(lead);
    }
}

internal sealed record GetLeadRequest(Guid Id) : IRequest<VersionedLead>;

internal sealed class GetLeadHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetLeadRequest, VersionedLead>
{
    public async Task<VersionedLead> Handle(GetLeadRequest request, CancellationToken cancellationToken) =>
        LeadProjection.Versioned(await LeadAccess.FindVisibleAsync(db.Leads.AsNoTracking(), access, request.Id, cancellationToken));
}
