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

/// <summary>Win an open opportunity (赢单): it moves to its pipeline's won stage.</summary>
internal sealed record WinOpportunityRequest(Guid Id, IfMatch IfMatch) : IRequest<VersionedOpportunity>;

/// <summary>Lose an open opportunity (输单): it moves to its pipeline's lost stage.</summary>
/// <param name="Reason">Why it was lost (required, at most 500 characters): the loss analysis groups by it.</param>
/// <param name="CompetitorId">The competitor it was lost to, when known (an existing competitor); it is linked to the opportunity.</param>
internal sealed record LoseOpportunityRequest(string? Reason, Guid? CompetitorId = null) : IRequest<VersionedOpportunity>
{
    internal Guid Id { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>
/// Reopen a won or lost opportunity in an open stage: the one named by <c>stageId</c> or <c>stageCode</c>, by default
/// the stage it was closed from. The lost reason is cleared.
/// </summary>
/// <param name="StageId">The open stage to reopen in.</param>
/// <param name="StageCode">That stage's code.</param>
internal sealed record ReopenOpportunityRequest(Guid? StageId = null, string? StageCode = null) : IRequest<VersionedOpportunity>
{
    internal Guid Id { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class LoseOpportunityValidator : AbstractValidator<LoseOpportunityRequest>
{
    public LoseOpportunityValidator() =>
        RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required to lose an opportunity.")
            .MaximumLength(500).WithMessage("reason is at most 500 characters.");
}

internal sealed class ReopenOpportunityValidator : AbstractValidator<ReopenOpportunityRequest>
{
    public ReopenOpportunityValidator() =>
        RuleFor(r => r.StageCode).Null().When(r => r.StageId is not null).WithMessage("Give stageId or stageCode, not both.");
}

internal sealed class CloseOpportunityHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<WinOpportunityRequest, VersionedOpportunity>,
        IRequestHandler<LoseOpportunityRequest, VersionedOpportunity>,
        IRequestHandler<ReopenOpportunityRequest, VersionedOpportunity>
{
    public Task<VersionedOpportunity> Handle(WinOpportunityRequest request, CancellationToken cancellationToken) =>
        ApplyAsync(request.Id, request.IfMatch, async (opportunity, by, now, ct) =>
        {
            var stage = await ClosingStageAsync(opportunity, StageKind.Won, ct);
            return (EnsureOpen(opportunity, () => opportunity.Win(stage, by, now)), stage);
        }, cancellationToken);

    public Task<VersionedOpportunity> Handle(LoseOpportunityRequest request, CancellationToken cancellationToken) =>
        ApplyAsync(request.Id, request.IfMatch, async (opportunity, by, now, ct) =>
        {
            var stage = await ClosingStageAsync(opportunity, StageKind.Lost, ct);
            if (request.CompetitorId is { } competitorId)
            {
                if (!await db.Competitors.AnyAsync(c => c.Id == competitorId, ct))
                {
                    throw ValidationFailedException.For("competitorId", $"No competitor {competitorId}.");
                }

                // Lost to them means it ran against them: the link makes the loss count in the competitor's stats.
                if (opportunity.IsOpen && !await db.OpportunityCompetitors.AnyAsync(l => l.OpportunityId == opportunity.Id && l.CompetitorId == competitorId, ct))
                {
                    db.OpportunityCompetitors.Add(OpportunityCompetitor.Create(opportunity.Id, competitorId, by, now));
                }
            }

            return (EnsureOpen(opportunity, () => opportunity.Lose(stage, request.Reason!, by, now, request.CompetitorId)), stage);
        }, cancellationToken);

    public Task<VersionedOpportunity> Handle(ReopenOpportunityRequest request, CancellationToken cancellationToken) =>
        ApplyAsync(request.Id, request.IfMatch, async (opportunity, by, now, ct) =>
        {
            if (opportunity.Status == OpportunityStatus.Open)
            {
                throw OpportunityProblems.Open(opportunity);
            }

            var stages = db.PipelineStages.Where(s => s.PipelineId == opportunity.PipelineId);
            PipelineStage stage;
            if (request.StageId is { } stageId)
            {
                stage = await stages.SingleOrDefaultAsync(s => s.Id == stageId, ct)
                    ?? throw ValidationFailedException.For("stageId", $"No stage {stageId} in the opportunity's pipeline.");
            }
            else if (!string.IsNullOrWhiteSpace(request.StageCode))
            {
                stage = await stages.SingleOrDefaultAsync(s => s.Code == request.StageCode.Trim(), ct)
                    ?? throw ValidationFailedException.For("stageCode", $"No stage '{request.StageCode}' in the opportunity's pipeline.");
            }
            else
            {
                // The stage it was closed from: the source of the move into its current (closing) stage.
                stage = await (
                        from change in db.OpportunityStageChanges
                        where change.OpportunityId == opportunity.Id && change.ToStageId == opportunity.StageId
                        orderby change.ChangedAt descending, change.Id descending
                        join source in db.PipelineStages on change.FromStageId equals source.Id
                        where source.Kind == StageKind.Open && source.Active
                        select source)
                    .FirstOrDefaultAsync(ct)
                    ?? await stages.Where(s => s.Kind == StageKind.Open && s.Active).OrderBy(s => s.Position).FirstAsync(ct);
            }

            if (stage.Kind != StageKind.Open)
            {
                throw ValidationFailedException.For(request.StageId is null ? "stageCode" : "stageId", "An opportunity reopens in an open stage.");
            }

            if (!stage.Active)
            {
                throw PipelineProblems.Retired(stage);
            }

            return (opportunity.Reopen(stage, by, now), stage);
        }, cancellationToken);

    private static OpportunityStageChange EnsureOpen(Opportunity opportunity, Func<OpportunityStageChange> close) =>
        opportunity.Status == OpportunityStatus.Open
            ? close()
            : throw OpportunityProblems.Closed(opportunity);

    private async Task<PipelineStage> ClosingStageAsync(Opportunity opportunity, StageKind kind, CancellationToken ct) =>
        await db.PipelineStages.SingleOrDefaultAsync(s => s.PipelineId == opportunity.PipelineId && s.Kind == kind, ct)
            ?? throw new BusinessRuleException(ProblemTypes.BusinessRule, "Pipeline has no closing stage", $"Pipeline {opportunity.PipelineId} has no {kind.ToString().ToLowerInvariant()} stage.");

    private async Task<VersionedOpportunity> ApplyAsync(
        Guid id,
        IfMatch ifMatch,
        Func<Opportunity, Guid?, DateTimeOffset, CancellationToken, Task<(OpportunityStageChange Change, PipelineStage Stage)>> apply,
        CancellationToken ct)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities, access, id, ct);
        ifMatch.EnsureMatches(opportunity.Version);
        var now = time.UtcNow();
        var before = opportunity.Status;
        var (change, stage) = await apply(opportunity, (await access.GetAsync(ct)).UserId, now, ct);
        db.OpportunityStageChanges.Add(change);
        OpportunityStageEvents.Raise(db, opportunity, before, change, stage, now);
        await db.SaveChangesAsync(ct);
        return VersionedOpportunity.From(opportunity);
    }
}
