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
/// Reaching the won stage wins it (losing needs a reason: <c>POST .../lose</c>); moving a closed one to an open stage
/// reopens it. Every move is kept in the stage history.
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
        if (!stage.Active)
        {
            throw PipelineProblems.Retired(stage);
        }

        if (stage.Kind == StageKind.Lost)
        {
            throw ValidationFailedException.For(request.StageId is null ? "stageCode" : "stageId", "Losing needs a reason: POST .../lose.");
        }

        // Like POST .../win: a closed outcome is not flipped in place (lost straight to won); reopen first.
        if (stage.Kind == StageKind.Won && stage.Id != opportunity.StageId && opportunity.Status != OpportunityStatus.Open)
        {
            throw OpportunityProblems.Closed(opportunity);
        }

        if (request.Probability is not null && stage.Kind != StageKind.Open)
        {
            throw ValidationFailedException.For("probability", "The won stage sets the probability itself.");
        }

        var now = time.UtcNow();
        var before = opportunity.Status;
        var change = opportunity.MoveTo(stage, (await access.GetAsync(cancellationToken)).UserId, now);
        if (request.Probability is { } probability)
        {
            opportunity.OverrideProbability(probability, now);
        }

        if (change is not null)
        {
            db.OpportunityStageChanges.Add(change);
            OpportunityStageEvents.Raise(db, opportunity, before, change, stage, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return VersionedOpportunity.From(opportunity);
    }
}
