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
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>
/// A JSON merge patch of an open opportunity: absent members stay, <c>null</c> clears. Won and lost opportunities are
/// read-only (409 <c>opportunity-closed</c>: reopen first). The stage, status and customer belong to their actions and
/// answer 400 naming the action.
/// </summary>
/// <param name="Name">Name (cannot be cleared).</param>
/// <param name="Amount">Expected amount, 0 or more (cannot be cleared).</param>
/// <param name="Currency">ISO 4217 currency (null resets to CNY).</param>
/// <param name="ExpectedCloseDate">Expected close date.</param>
/// <param name="OwnerId">The new owner: an active user in the caller's team subtree (cannot be cleared). The team becomes the owner's.</param>
/// <param name="PartnerId">The partner or distributor on the deal (an active partner).</param>
/// <param name="ContactId">The customer's contact for the deal: a live contact of the opportunity's customer (400 for another customer's, 422 for an unknown one).</param>
/// <param name="Source">Where the deal came from.</param>
/// <param name="Description">Free description.</param>
/// <param name="ExternalId">Its id in another system (at most 100 characters, unique: 409 duplicate-external-id; null clears).</param>
/// <param name="Probability">This opportunity's win probability, 0 to 100; null returns to the stage's default.</param>
/// <param name="StageId">Not patchable (400): use POST /api/v1/sales/opportunities/{id}/stage.</param>
/// <param name="Status">Not patchable (400): use the stage, win, lose and reopen actions.</param>
/// <param name="CustomerId">Not patchable (400): an opportunity stays with its customer.</param>
internal sealed record UpdateOpportunityRequest(
    Optional<string?> Name,
    Optional<decimal?> Amount,
    Optional<string?> Currency,
    Optional<DateOnly?> ExpectedCloseDate,
    Optional<Guid?> OwnerId,
    Optional<Guid?> PartnerId,
    Optional<Guid?> ContactId,
    Optional<string?> Source,
    Optional<string?> Description,
    Optional<string?> ExternalId,
    Optional<int?> Probability,
    Optional<JsonElement> StageId,
    Optional<JsonElement> Status,
    Optional<JsonElement> CustomerId) : IRequest<VersionedOpportunity>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public OpportunityDetails MergeInto(OpportunityDetails current) => new(
        Name.Or(current.Name) ?? string.Empty,
        Amount.HasValue ? Amount.Value ?? -1m : current.Amount,
        Currency.HasValue ? Currency.Value ?? Opportunity.DefaultCurrency : current.Currency,
        ExpectedCloseDate.Or(current.ExpectedCloseDate),
        ContactId.Or(current.ContactId),
        PartnerId.Or(current.PartnerId),
        Source.Or(current.Source),
        Description.Or(current.Description),
        ExternalId.Or(current.ExternalId));
}

internal sealed class UpdateOpportunityValidator : AbstractValidator<UpdateOpportunityRequest>
{
    public UpdateOpportunityValidator()
    {
        RuleFor(r => r.Name).Must(n => !n.HasValue || !string.IsNullOrWhiteSpace(n.Value))
            .WithMessage("name cannot be cleared.").OverridePropertyName("name");
        RuleFor(r => r.Amount).Must(a => !a.HasValue || a.Value is not null)
            .WithMessage("amount cannot be cleared: send 0.").OverridePropertyName("amount");
        RuleFor(r => r.OwnerId).Must(o => !o.HasValue || o.Value is not null)
            .WithMessage("ownerId cannot be cleared: every opportunity has an owner.").OverridePropertyName("ownerId");
        RuleFor(r => r.Probability).Must(p => !p.HasValue || p.Value is null or >= 0 and <= 100)
            .WithMessage("probability is a percentage, 0 to 100 (null returns to the stage's default).").OverridePropertyName("probability");
        RuleFor(r => r.StageId).Must(s => !s.HasValue)
            .WithMessage("stageId is not patchable: use POST /api/v1/sales/opportunities/{id}/stage.").OverridePropertyName("stageId");
        RuleFor(r => r.Status).Must(s => !s.HasValue)
            .WithMessage("status is not patchable: use the stage, win, lose and reopen actions.").OverridePropertyName("status");
        RuleFor(r => r.CustomerId).Must(c => !c.HasValue)
            .WithMessage("customerId is not patchable: an opportunity stays with its customer.").OverridePropertyName("customerId");
    }
}

/// <summary>
/// The rules of an opportunity's editable fields, checked on the complete new state (a merge patch applied to the
/// current opportunity), so the field errors name what the client sent.
/// </summary>
internal sealed class OpportunityDetailsValidator : AbstractValidator<OpportunityDetails>
{
    public OpportunityDetailsValidator()
    {
        RuleFor(d => d.Name).NotEmpty().MaximumLength(Opportunity.MaxNameLength).OverridePropertyName("name");
        RuleFor(d => d.Amount).GreaterThanOrEqualTo(0m).WithMessage("amount must be 0 or more.")
            .PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("amount");
        RuleFor(d => d.Currency).Matches("^[A-Z]{3}$").WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency");
        RuleFor(d => d.Source).MaximumLength(Opportunity.MaxSourceLength).OverridePropertyName("source");
        RuleFor(d => d.Description).MaximumLength(Opportunity.MaxDescriptionLength).OverridePropertyName("description");
        RuleFor(d => d.ExternalId).MaximumLength(Opportunity.MaxExternalIdLength).OverridePropertyName("externalId");
    }

    /// <summary>Validates and throws the 400 the validation behavior would.</summary>
    public async Task EnsureValidAsync(OpportunityDetails details, CancellationToken ct)
    {
        var result = await ValidateAsync(details, ct);
        if (!result.IsValid)
        {
            throw ValidationFailedException.From(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)));
        }
    }
}

internal sealed class UpdateOpportunityHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ContactReferences contacts, TimeProvider time)
    : IRequestHandler<UpdateOpportunityRequest, VersionedOpportunity>
{
    private static readonly OpportunityDetailsValidator Validator = new();

    public async Task<VersionedOpportunity> Handle(UpdateOpportunityRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(opportunity.Version);
        if (!opportunity.IsOpen)
        {
            throw OpportunityProblems.Closed(opportunity);
        }

        var details = request.MergeInto(opportunity.Details());
        await Validator.EnsureValidAsync(details, cancellationToken);
        var opportunityId = opportunity.Id;
        if ((request.Amount.HasValue || request.Currency.HasValue)
            && await db.OpportunityLines.AnyAsync(l => l.OpportunityId == opportunityId, cancellationToken))
        {
            // The lines' prices are in the opportunity's currency and their total is the amount: change the lines instead.
            var failures = new List<(string Field, string Message)>();
            if (request.Amount.HasValue)
            {
                failures.Add(("amount", "amount is the total of the product lines: change the lines."));
            }

            if (request.Currency.HasValue)
            {
                failures.Add(("currency", "currency cannot change while the opportunity has product lines."));
            }

            throw ValidationFailedException.From(failures);
        }

        if (details.PartnerId is { } partnerId && partnerId != opportunity.PartnerId
            && !await db.Partners.AnyAsync(p => p.Id == partnerId && p.Active, cancellationToken))
        {
            throw ValidationFailedException.For("partnerId", $"No active partner {partnerId}.");
        }

        if (details.ContactId is { } contactId && contactId != opportunity.ContactId)
        {
            await contacts.EnsureContactOfCustomerAsync(contactId, opportunity.CustomerId, cancellationToken);
        }

        if (request.ExternalId.HasValue)
        {
            await OpportunityProblems.EnsureExternalIdFreeAsync(db, details.ExternalId, opportunity.Id, cancellationToken);
        }

        var now = time.UtcNow();
        var previousOwnerId = opportunity.OwnerId;
        Guid? reassignedBy = null;
        if (request.OwnerId is { HasValue: true, Value: { } ownerId } && ownerId != opportunity.OwnerId)
        {
            // Like creating: the new owner must be someone the caller may hand work to, so a rep cannot give a deal
            // away (their scope is themselves) and a manager only within the team subtree.
            var scope = await access.GetAsync(cancellationToken);
            if (!scope.CanSee(ownerId))
            {
                throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only give opportunities to users in your team subtree.");
            }

            var owner = await users.FindByIdAsync(ownerId, cancellationToken);
            if (owner is not { Active: true })
            {
                throw ValidationFailedException.For("ownerId", $"No active user {ownerId}.");
            }

            opportunity.AssignOwner(owner.Id, owner.TeamId, now);
            reassignedBy = scope.UserId;
        }

        opportunity.Update(details, now);
        if (opportunity.OwnerId != previousOwnerId)
        {
            // Raised after the patch is applied, so the event carries the name and amount the opportunity has now.
            db.AddIntegrationEvent(OpportunityStageEvents.OwnerChanged(opportunity, previousOwnerId, reassignedBy, now));
        }
        if (request.Probability.HasValue)
        {
            if (request.Probability.Value is { } probability)
            {
                opportunity.OverrideProbability(probability, now);
            }
            else
            {
                var stage = await db.PipelineStages.SingleAsync(s => s.Id == opportunity.StageId, cancellationToken);
                opportunity.ResetProbability(stage, now);
            }
        }

        await OpportunityProblems.SaveAsync(db, opportunity, cancellationToken);
        return VersionedOpportunity.From(opportunity);
    }
}
