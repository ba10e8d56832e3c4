using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
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
/// Move an opportunity to another stage of its pipeline, named by <c>stageId</c> or <c>stageCode</c> (exactly one).
/// Reaching the won or lost stage closes it; moving a closed one to an open stage reopens it. Every move is kept in
/// the stage history.
/// </summary>
/// <param name="StageId">The target stage.</param>
/// <param name="StageCode">The target stage's code (<c>businessNegotiation</c>).</param>
/// <param name="Probability">Overrides the target stage's default win probability (0 to 100); open stages only.</param>
internal sealed record MoveOpportunityStageRequest(Guid? StageId = null, string? StageCode = null, int? Probability = null) : IRequest<VersionedOpportunity>
{
    internal Guid Id { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class MoveOpportunityStageValidator : AbstractValidator<MoveOpportunityStageRequest>
{
    public MoveOpportunityStageValidator()
    {
        RuleFor(r => r.StageId).NotNull().When(r => string.IsNullOrWhiteSpace(r.StageCode)).WithMessage("Name the target stage: stageId or stageCode.");
        RuleFor(r => r.StageCode).Null().When(r => r.StageId is not null).WithMessage("Give stageId or stageCode, not both.");
        RuleFor(r => r.Probability).InclusiveBetween(0, 100).WithMessage("probability is a percentage, 0 to 100.");
    }
}

internal sealed class MoveOpportunityStageHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<MoveOpportunityStageRequest, VersionedOpportunity>
{
    public async Task<VersionedOpportunity> Handle(MoveOpportunityStageRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(opportunity.Version);
        var stages = db.PipelineStages.Where(s => s.PipelineId == opportunity.PipelineId);
        var stage = request.StageId is { } stageId
            ? await stages.SingleOrDefaultAsync(s => s.Id == stageId, cancellationToken)
                ?? throw ValidationFailedException.For("stageId", $"No stage {stageId} in the opportunity's pipeline.")
            : await stages.SingleOrDefaultAsync(s => s.Code == request.StageCode!.Trim(), cancellationToken)
                ?? throw ValidationFailedException.For("stageCode", $"No stage '{request.StageCode}' in the opportunity's pipeline.");
        if (request.Probability is not null && stage.Kind != StageKind.Open)
        {
            throw ValidationFailedException.For("probability", "A closing stage sets the probability itself (won 100, lost 0).");
        }

        var now = time.UtcNow();
        var change = opportunity.MoveTo(stage, (await access.GetAsync(cancellationToken)).UserId, now);
        if (request.Probability is { } probability)
        {
            opportunity.OverrideProbability(probability, now);
        }

        if (change is not null)
        {
            db.OpportunityStageChanges.Add(change);
            RaiseEvents(opportunity, change, stage, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return VersionedOpportunity.From(opportunity);
    }

    private void RaiseEvents(Opportunity opportunity, OpportunityStageChange change, PipelineStage stage, DateTimeOffset now)
    {
        db.AddIntegrationEvent(new OpportunityStageChanged(now)
        {
            OpportunityId = opportunity.Id,
            CustomerId = opportunity.CustomerId,
            FromStageId = change.FromStageId,
            ToStageId = change.ToStageId,
            ToStageCode = stage.Code,
            Status = opportunity.Status.ToString().ToLowerInvariant(),
        });
        if (opportunity.Status == OpportunityStatus.Won)
        {
            db.AddIntegrationEvent(new OpportunityWon(now)
            {
                OpportunityId = opportunity.Id,
                CustomerId = opportunity.CustomerId,
                Name = opportunity.Name,
                Amount = opportunity.Amount,
                Currency = opportunity.Currency,
                OwnerId = opportunity.OwnerId,
            });
        }
        else if (opportunity.Status == OpportunityStatus.Lost)
        {
            db.AddIntegrationEvent(new OpportunityLost(now)
            {
                OpportunityId = opportunity.Id,
                CustomerId = opportunity.CustomerId,
                Name = opportunity.Name,
                Amount = opportunity.Amount,
                Currency = opportunity.Currency,
                OwnerId = opportunity.OwnerId,
            });
        }
    }
}
