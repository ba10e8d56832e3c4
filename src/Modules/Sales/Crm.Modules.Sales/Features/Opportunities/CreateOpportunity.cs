using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Open an opportunity with a customer. It starts open, in the first stage of its pipeline unless <c>stageId</c> names another open stage.</summary>
/// <param name="Name">Name (required, at most 200 characters).</param>
/// <param name="CustomerId">The customer (required). Reps may name customers they own or can see through their team, or pool customers.</param>
/// <param name="Amount">Expected amount, 0 or more (default 0).</param>
/// <param name="Currency">ISO 4217 currency (default CNY).</param>
/// <param name="ExpectedCloseDate">Expected close date.</param>
/// <param name="OwnerId">Owner; defaults to the caller. Managers may name anyone in their team subtree, administrators anyone.</param>
/// <param name="PipelineId">Pipeline; defaults to the default pipeline.</param>
/// <param name="StageId">An open stage of the pipeline; defaults to its first stage.</param>
/// <param name="PartnerId">The partner or distributor on the deal (an active partner).</param>
/// <param name="ContactId">The customer's contact for the deal: a live contact of this customer (400 for another customer's, 422 for an unknown one).</param>
/// <param name="Source">Where the deal came from (at most 50 characters).</param>
/// <param name="Description">Free description (at most 2,000 characters).</param>
/// <param name="ExternalId">The deal's id in another system (at most 100 characters, unique: 409 duplicate-external-id).</param>
internal sealed record CreateOpportunityRequest(
    string Name,
    Guid? CustomerId,
    decimal? Amount = null,
    string? Currency = null,
    DateOnly? ExpectedCloseDate = null,
    Guid? OwnerId = null,
    Guid? PipelineId = null,
    Guid? StageId = null,
    Guid? PartnerId = null,
    Guid? ContactId = null,
    string? Source = null,
    string? Description = null,
    string? ExternalId = null) : IRequest<VersionedOpportunity>;

internal sealed class CreateOpportunityValidator : AbstractValidator<CreateOpportunityRequest>
{
    public CreateOpportunityValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("name is required.").MaximumLength(200).WithMessage("name is at most 200 characters.");
        RuleFor(r => r.CustomerId).NotNull().WithMessage("customerId is required.");
        RuleFor(r => r.Amount).GreaterThanOrEqualTo(0m).WithMessage("amount must be 0 or more.")
            .LessThan(10_000_000_000_000_000m).WithMessage("amount must have at most 16 digits before the decimal point.")
            .Must(a => a is null || decimal.Round(a.Value, 2) == a.Value).WithMessage("amount has at most 2 decimal places.");
        RuleFor(r => r.Currency).Matches("^[A-Z]{3}$").When(r => r.Currency is not null).WithMessage("currency must be an ISO 4217 code such as CNY.");
        RuleFor(r => r.Source).MaximumLength(Opportunity.MaxSourceLength);
        RuleFor(r => r.Description).MaximumLength(Opportunity.MaxDescriptionLength);
        RuleFor(r => r.ExternalId).MaximumLength(Opportunity.MaxExternalIdLength);
    }
}

internal sealed class CreateOpportunityHandler(
    SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICustomerDirectory customers, ContactReferences contacts, TimeProvider time)
    : IRequestHandler<CreateOpportunityRequest, VersionedOpportunity>
{
    public async Task<VersionedOpportunity> Handle(CreateOpportunityRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var customerId = request.CustomerId!.Value;
        var found = await customers.FindAsync([customerId], cancellationToken);

        // A customer the caller cannot see answers like a missing one, so the request does not reveal it exists.
        if (!found.TryGetValue(customerId, out var customer) || !scope.CanSee(customer.OwnerId, includeUnowned: true))
        {
            throw ValidationFailedException.For("customerId", $"No customer {customerId} that you can see.");
        }

        if (customer.Status is "archived" or "blacklisted")
        {
            throw new BusinessRuleException(ProblemTypes.BusinessRule, "Customer not open for business", $"Customer {customer.Code} is {customer.Status}: no new opportunities.");
        }

        var ownerId = request.OwnerId ?? scope.UserId
            ?? throw ValidationFailedException.For("ownerId", "ownerId is required when the caller is not a user (an API key).");
        if (ownerId != scope.UserId && !scope.CanSee(ownerId))
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only assign opportunities to users in your team subtree.");
        }

        var owner = await users.FindByIdAsync(ownerId, cancellationToken);
        if (owner is not { Active: true })
        {
            throw ValidationFailedException.For("ownerId", $"No active user {ownerId}.");
        }

        var stage = await FindStartStageAsync(request, cancellationToken);
        if (request.PartnerId is { } partnerId && !await db.Partners.AnyAsync(p => p.Id == partnerId && p.Active, cancellationToken))
        {
            throw ValidationFailedException.For("partnerId", $"No active partner {partnerId}.");
        }

        if (request.ContactId is { } contactId)
        {
            await contacts.EnsureContactOfCustomerAsync(contactId, customer.Id, cancellationToken);
        }

        await OpportunityProblems.EnsureExternalIdFreeAsync(db, request.ExternalId, null, cancellationToken);
        var now = time.UtcNow();
        var opportunity = Opportunity.Create(
            request.Name, customer.Id, null, null, stage, request.Amount ?? 0m, request.Currency ?? Opportunity.DefaultCurrency,
            request.ExpectedCloseDate, owner.Id, owner.TeamId, now);
        opportunity.Update(opportunity.Details() with { PartnerId = request.PartnerId, ContactId = request.ContactId, Source = request.Source, Description = request.Description, ExternalId = request.ExternalId }, now);
        db.Opportunities.Add(opportunity);
        db.AddIntegrationEvent(OpportunityStageEvents.Created(opportunity));
        await OpportunityProblems.SaveAsync(db, opportunity, cancellationToken);
        return VersionedOpportunity.From(opportunity);
    }

    private async Task<PipelineStage> FindStartStageAsync(CreateOpportunityRequest request, CancellationToken ct)
    {
        var pipelineId = request.PipelineId
            ?? await db.Pipelines.Where(p => p.IsDefault).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(ct)
            ?? throw new BusinessRuleException(ProblemTypes.BusinessRule, "No default pipeline", "No pipeline is marked default: name pipelineId.");
        if (!await db.Pipelines.AnyAsync(p => p.Id == pipelineId && p.Active, ct))
        {
            throw ValidationFailedException.For("pipelineId", $"No active pipeline {pipelineId}.");
        }

        var stages = db.PipelineStages.Where(s => s.PipelineId == pipelineId);
        if (request.StageId is { } stageId)
        {
            var stage = await stages.SingleOrDefaultAsync(s => s.Id == stageId, ct)
                ?? throw ValidationFailedException.For("stageId", $"No stage {stageId} in pipeline {pipelineId}.");

            // Opportunities are born open: closing one is a move, so it gets its history row and won/lost event.
            return stage.Kind != StageKind.Open ? throw ValidationFailedException.For("stageId", "A new opportunity starts in an open stage.")
                : stage.Active ? stage : throw PipelineProblems.Retired(stage);
        }

        return await stages.Where(s => s.Kind == StageKind.Open && s.Active).OrderBy(s => s.Position).FirstOrDefaultAsync(ct)
            ?? throw new BusinessRuleException(ProblemTypes.BusinessRule, "Pipeline has no open stage", $"Pipeline {pipelineId} has no open stage.");
    }
}
