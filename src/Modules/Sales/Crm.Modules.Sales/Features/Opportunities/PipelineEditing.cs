using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>A JSON merge patch of a pipeline (managers and administrators): absent members stay.</summary>
/// <param name="Name">Name (unique, at most 100 characters; cannot be cleared).</param>
/// <param name="NameZh">Chinese name (at most 100 characters; null clears it).</param>
/// <param name="Active">false: it takes no new opportunities (the ones in it carry on); the default pipeline cannot be deactivated (409). true reactivates it.</param>
internal sealed record UpdatePipelineRequest(Optional<string?> Name, Optional<string?> NameZh, Optional<bool?> Active) : IRequest<VersionedPipeline>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>Add an open stage to a pipeline (managers and administrators).</summary>
/// <param name="Code">camelCase code, unique in the pipeline, retired stages included (required, at most 50 characters; never changes).</param>
/// <param name="Name">Display name (required, at most 100 characters).</param>
/// <param name="Probability">Default win probability, 0 to 100 (required).</param>
/// <param name="NameZh">Chinese display name (optional, at most 100 characters).</param>
/// <param name="Position">Its place among the open stages, from 1 (default: after the last open stage; won and lost stay last).</param>
internal sealed record AddPipelineStageRequest(string? Code, string? Name, int? Probability, string? NameZh = null, int? Position = null) : IRequest<VersionedPipeline>
{
    internal Guid PipelineId { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>A JSON merge patch of a stage (managers and administrators): absent members stay. The code and the kind never change.</summary>
/// <param name="Name">Display name (at most 100 characters; cannot be cleared).</param>
/// <param name="NameZh">Chinese display name (at most 100 characters; null clears it).</param>
/// <param name="Probability">
/// Default win probability, 0 to 100 (cannot be cleared); the won stage stays at 100 and the lost one at 0. Opportunities
/// already in the stage keep their probability: the new default applies from their next move.
/// </param>
/// <param name="Code">Not patchable (400): a stage code never changes.</param>
internal sealed record UpdatePipelineStageRequest(Optional<string?> Name, Optional<string?> NameZh, Optional<int?> Probability, Optional<JsonElement> Code) : IRequest<VersionedPipeline>
{
    [JsonIgnore]
    public Guid PipelineId { get; init; }

    [JsonIgnore]
    public Guid StageId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>The new order of a pipeline's open stages (managers and administrators).</summary>
/// <param name="StageIds">Every active open stage of the pipeline, each once, in the new order (the won and lost stages stay last; retired stages are not listed).</param>
internal sealed record ReorderPipelineStagesRequest(IReadOnlyList<Guid>? StageIds) : IRequest<VersionedPipeline>
{
    internal Guid PipelineId { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>Retire an open stage: its open opportunities move to <c>moveTo</c>, with history rows and StageChanged events.</summary>
/// <param name="MoveTo">The active open stage of the same pipeline that takes the stage's open opportunities (required).</param>
internal sealed record DeactivatePipelineStageRequest(Guid? MoveTo) : IRequest<RetiredPipelineStage>
{
    internal Guid PipelineId { get; init; }

    internal Guid StageId { get; init; }

    internal IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>Bring a retired stage back, after the last open stage.</summary>
internal sealed record ReactivatePipelineStageRequest(Guid PipelineId, Guid StageId, IfMatch IfMatch) : IRequest<VersionedPipeline>;

/// <summary>A stage was retired.</summary>
/// <param name="MovedOpportunities">How many open opportunities moved from the retired stage to <c>moveTo</c>.</param>
/// <param name="Pipeline">The pipeline as it is now (its ETag is the response's).</param>
internal sealed record PipelineStageRetiredResponse(int MovedOpportunities, PipelineResponse Pipeline);

/// <summary>The answer of a retirement with the pipeline's row version.</summary>
internal sealed record RetiredPipelineStage(PipelineStageRetiredResponse Response, uint Version);

internal sealed class UpdatePipelineValidator : AbstractValidator<UpdatePipelineRequest>
{
    public UpdatePipelineValidator()
    {
        RuleFor(r => r.Name).Must(n => !n.HasValue || !string.IsNullOrWhiteSpace(n.Value)).WithMessage("name cannot be cleared.").OverridePropertyName("name");
        RuleFor(r => r.Name.Value).MaximumLength(PipelineStage.MaxNameLength).When(r => r.Name.HasValue).OverridePropertyName("name");
        RuleFor(r => r.NameZh.Value).MaximumLength(PipelineStage.MaxNameLength).When(r => r.NameZh.HasValue).OverridePropertyName("nameZh");
        RuleFor(r => r.Active).Must(a => !a.HasValue || a.Value is not null).WithMessage("active is true or false.").OverridePropertyName("active");
    }
}

internal sealed class AddPipelineStageValidator : AbstractValidator<AddPipelineStageRequest>
{
    public AddPipelineStageValidator()
    {
        RuleFor(r => r.Code).StageCode();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(PipelineStage.MaxNameLength);
        RuleFor(r => r.NameZh).MaximumLength(PipelineStage.MaxNameLength);
        RuleFor(r => r.Probability).NotNull().InclusiveBetween(0, 100);
        RuleFor(r => r.Position).GreaterThanOrEqualTo(1);
    }
}

internal sealed class UpdatePipelineStageValidator : AbstractValidator<UpdatePipelineStageRequest>
{
    public UpdatePipelineStageValidator()
    {
        RuleFor(r => r.Name).Must(n => !n.HasValue || !string.IsNullOrWhiteSpace(n.Value)).WithMessage("name cannot be cleared.").OverridePropertyName("name");
        RuleFor(r => r.Name.Value).MaximumLength(PipelineStage.MaxNameLength).When(r => r.Name.HasValue).OverridePropertyName("name");
        RuleFor(r => r.NameZh.Value).MaximumLength(PipelineStage.MaxNameLength).When(r => r.NameZh.HasValue).OverridePropertyName("nameZh");
        RuleFor(r => r.Probability).Must(p => !p.HasValue || p.Value is >= 0 and <= 100)
            .WithMessage("probability is a percentage, 0 to 100 (cannot be cleared).").OverridePropertyName("probability");
        RuleFor(r => r.Code).Must(c => !c.HasValue).WithMessage("code never changes: add a new stage and retire this one.").OverridePropertyName("code");
    }
}

internal sealed class ReorderPipelineStagesValidator : AbstractValidator<ReorderPipelineStagesRequest>
{
    public ReorderPipelineStagesValidator() =>
        RuleFor(r => r.StageIds).NotEmpty().Must(ids => ids is null || ids.Distinct().Count() == ids.Count).WithMessage("Each stage is listed once.");
}

internal sealed class DeactivatePipelineStageValidator : AbstractValidator<DeactivatePipelineStageRequest>
{
    public DeactivatePipelineStageValidator() =>
        RuleFor(r => r.MoveTo).NotNull().WithMessage("moveTo names the active open stage that takes the stage's open opportunities.");
}

/// <summary>
/// Pipeline editing. Every change updates the pipeline row, whose row version is the ETag of the pipeline and its
/// stages, so concurrent edits conflict (412 with If-Match, else 409). Stage order changes renumber every position
/// of the pipeline in two statements.
/// </summary>
internal sealed class PipelineEditingHandlers(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<UpdatePipelineRequest, VersionedPipeline>,
        IRequestHandler<AddPipelineStageRequest, VersionedPipeline>,
        IRequestHandler<UpdatePipelineStageRequest, VersionedPipeline>,
        IRequestHandler<ReorderPipelineStagesRequest, VersionedPipeline>,
        IRequestHandler<DeactivatePipelineStageRequest, RetiredPipelineStage>,
        IRequestHandler<ReactivatePipelineStageRequest, VersionedPipeline>
{
    public async Task<VersionedPipeline> Handle(UpdatePipelineRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, _) = await LoadAsync(request.Id, request.IfMatch, cancellationToken);
        var now = time.UtcNow();
        if (request.Name.HasValue || request.NameZh.HasValue)
        {
            var name = request.Name.HasValue ? request.Name.Value!.Trim() : pipeline.Name;
            if (name != pipeline.Name && await db.Pipelines.AnyAsync(p => p.Name == name && p.Id != pipeline.Id, cancellationToken))
            {
                throw PipelineProblems.DuplicateName(name);
            }

            pipeline.Rename(name, request.NameZh.Or(pipeline.NameZh), now);
        }

        if (request.Active.Value is { } active && active != pipeline.Active)
        {
            if (!active && pipeline.IsDefault)
            {
                throw PipelineProblems.DefaultPipeline(pipeline);
            }

            pipeline.SetActive(active, now);
        }

        return await CommitAsync(pipeline, null, null, cancellationToken);
    }

    public async Task<VersionedPipeline> Handle(AddPipelineStageRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, stages) = await LoadAsync(request.PipelineId, request.IfMatch, cancellationToken);
        var code = request.Code!.Trim();
        if (stages.Any(s => s.Code == code))
        {
            throw PipelineProblems.DuplicateStageCode(code);
        }

        EnsureRoomForOneMore(stages);
        var open = OpenStages(stages);
        var index = (request.Position ?? open.Count + 1) - 1;
        if (index > open.Count)
        {
            throw ValidationFailedException.For("position", $"position is 1 to {open.Count + 1}: a place among the open stages.");
        }

        var now = time.UtcNow();
        var stage = PipelineStage.Create(pipeline.Id, code, request.Name!.Trim(), index + 1, request.Probability!.Value, StageKind.Open, now, request.NameZh);
        open.Insert(index, stage);
        db.PipelineStages.Add(stage);
        pipeline.Touch(now);
        return await CommitAsync(pipeline, Order(open, stages), null, cancellationToken);
    }

    public async Task<VersionedPipeline> Handle(UpdatePipelineStageRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, stages) = await LoadAsync(request.PipelineId, request.IfMatch, cancellationToken);
        var stage = FindStage(stages, request.StageId);
        if (request.Name.HasValue || request.NameZh.HasValue)
        {
            stage.Rename(request.Name.Value ?? stage.Name, request.NameZh.Or(stage.NameZh));
        }

        if (request.Probability.Value is { } probability)
        {
            if (stage.IsClosing && probability != stage.Probability)
            {
                throw ValidationFailedException.For("probability", $"The {(stage.Kind == StageKind.Won ? "won stage's probability is 100" : "lost stage's probability is 0")}.");
            }

            stage.ChangeProbability(probability);
        }

        pipeline.Touch(time.UtcNow());
        return await CommitAsync(pipeline, null, null, cancellationToken);
    }

    public async Task<VersionedPipeline> Handle(ReorderPipelineStagesRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, stages) = await LoadAsync(request.PipelineId, request.IfMatch, cancellationToken);
        var open = OpenStages(stages);
        if (request.StageIds!.Count != open.Count || !open.Select(s => s.Id).ToHashSet().SetEquals(request.StageIds))
        {
            throw ValidationFailedException.For("stageIds", $"List every open stage of the pipeline exactly once ({string.Join(", ", open.Select(s => s.Code))}); won, lost and retired stages are not listed.");
        }

        var byId = open.ToDictionary(s => s.Id);
        pipeline.Touch(time.UtcNow());
        return await CommitAsync(pipeline, Order(request.StageIds.Select(id => byId[id]), stages), null, cancellationToken);
    }

    public async Task<RetiredPipelineStage> Handle(DeactivatePipelineStageRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, stages) = await LoadAsync(request.PipelineId, request.IfMatch, cancellationToken);
        var stage = FindStage(stages, request.StageId);
        if (stage.IsClosing)
        {
            throw PipelineProblems.ClosingStage(stage);
        }

        if (!stage.Active)
        {
            throw PipelineProblems.AlreadyRetired(stage);
        }

        var open = OpenStages(stages);
        if (open.Count == 1)
        {
            throw PipelineProblems.LastOpenStage(stage);
        }

        var moveTo = request.MoveTo!.Value;
        var target = stages.SingleOrDefault(s => s.Id == moveTo) ?? throw PipelineProblems.InvalidMoveTarget(moveTo, "it is not a stage of this pipeline");
        if (target.Id == stage.Id || target.IsClosing || !target.Active)
        {
            throw PipelineProblems.InvalidMoveTarget(moveTo, target.Id == stage.Id ? "it is the stage being retired" : target.IsClosing ? "closing is a move of its own (win or lose)" : "it is retired");
        }

        var now = time.UtcNow();
        var by = (await access.GetAsync(cancellationToken)).UserId;
        stage.Retire();
        pipeline.Touch(now);
        var moved = 0;
        var answer = await CommitAsync(
            pipeline,
            Order(open.Where(s => s.Id != stage.Id), stages),
            async ct => moved = await MoveOpenOpportunitiesAsync(stage, target, by, now, ct),
            cancellationToken);
        return new RetiredPipelineStage(new PipelineStageRetiredResponse(moved, answer.Pipeline), answer.Version);
    }

    public async Task<VersionedPipeline> Handle(ReactivatePipelineStageRequest request, CancellationToken cancellationToken)
    {
        var (pipeline, stages) = await LoadAsync(request.PipelineId, request.IfMatch, cancellationToken);
        var stage = FindStage(stages, request.StageId);
        if (stage.Active)
        {
            throw PipelineProblems.Active(stage);
        }

        EnsureRoomForOneMore(stages);
        var open = OpenStages(stages);
        stage.Reactivate();
        open.Add(stage);
        pipeline.Touch(time.UtcNow());
        return await CommitAsync(pipeline, Order(open, stages), null, cancellationToken);
    }

    /// <summary>The active open stages by position.</summary>
    private static List<PipelineStage> OpenStages(IEnumerable<PipelineStage> stages) =>
        [.. stages.Where(s => s is { IsClosing: false, Active: true }).OrderBy(s => s.Position)];

    /// <summary>Every stage in its new place: the open ones as given, then won and lost, then the retired ones as they were.</summary>
    private static Guid[] Order(IEnumerable<PipelineStage> open, IReadOnlyList<PipelineStage> stages) =>
    [
        .. open.Select(s => s.Id),
        .. stages.Where(s => s.IsClosing).OrderBy(s => s.Kind).Select(s => s.Id),
        .. stages.Where(s => s is { IsClosing: false, Active: false }).OrderBy(s => s.Position).Select(s => s.Id),
    ];

    private static PipelineStage FindStage(IEnumerable<PipelineStage> stages, Guid stageId) =>
        stages.SingleOrDefault(s => s.Id == stageId) ?? throw new NotFoundException("Pipeline stage", stageId);

    private static void EnsureRoomForOneMore(IEnumerable<PipelineStage> stages)
    {
        if (stages.Count(s => s.Active) >= CreatePipelineValidator.MaxStages)
        {
            throw PipelineProblems.TooManyStages(CreatePipelineValidator.MaxStages);
        }
    }

    private async Task<(Pipeline Pipeline, List<PipelineStage> Stages)> LoadAsync(Guid id, IfMatch ifMatch, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("Pipeline", id);
        ifMatch.EnsureMatches(pipeline.Version);
        var stages = await db.PipelineStages.Where(s => s.PipelineId == id).OrderBy(s => s.Position).ToListAsync(ct);
        return (pipeline, stages);
    }

    /// <summary>
    /// Saves the tracked changes (the pipeline row's version check among them), renumbers the stages to
    /// <paramref name="order"/> and runs <paramref name="andThen"/>, all in one transaction.
    /// </summary>
    private async Task<VersionedPipeline> CommitAsync(Pipeline pipeline, Guid[]? order, Func<CancellationToken, Task>? andThen, CancellationToken ct)
    {
        // Always write the pipeline row, even within the same clock tick: its new row version is the new ETag, and the
        // version check of that write is what makes concurrent edits of the pipeline conflict.
        db.Entry(pipeline).Property(p => p.UpdatedAt).IsModified = true;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (order is not null)
        {
            // Positions are unique per pipeline and PostgreSQL checks that row by row, so a swap inside one UPDATE would
            // collide: park every position below zero first (a new stage is then inserted at its final place).
            await db.PipelineStages.Where(s => s.PipelineId == pipeline.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Position, x => -x.Position), ct);
        }

        await db.SaveChangesAsync(ct);
        if (order is not null)
        {
            var positions = Enumerable.Range(1, order.Length).ToArray();
            await db.Database.ExecuteSqlAsync(
                $"UPDATE sales.pipeline_stages s SET position = o.position FROM unnest({order}, {positions}) AS o(id, position) WHERE s.id = o.id", ct);
            db.AddAuditSummary<PipelineStage>(AuditAction.Updated, order.Length, new Dictionary<string, object?> { ["pipelineId"] = pipeline.Id, ["order"] = order });

            // A pending audit summary gets its id when saved, so summaries are saved one at a time.
            await db.SaveChangesAsync(ct);
        }

        if (andThen is not null)
        {
            await andThen(ct);
            await db.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return await PipelineHandlers.ReadPipelineAsync(db, pipeline.Id, ct);
    }

    /// <summary>
    /// Moves every open opportunity of <paramref name="from"/> to <paramref name="to"/> as a stage move would: the stage's
    /// default probability, a history row each and a StageChanged event each. Set-based: the rows are locked and read in
    /// one statement, moved with their history rows in a second, and the events are written with one COPY.
    /// </summary>
    private async Task<int> MoveOpenOpportunitiesAsync(PipelineStage from, PipelineStage to, Guid? by, DateTimeOffset now, CancellationToken ct)
    {
        var moving = await db.Opportunities
            .FromSql($"SELECT *, xmin FROM sales.opportunities WHERE stage_id = {from.Id} AND status = 'Open' ORDER BY id FOR UPDATE")
            .AsNoTracking()
            .ToListAsync(ct);
        if (moving.Count == 0)
        {
            return 0;
        }

        var ids = moving.Select(m => m.Id).ToArray();
        var changeIds = moving.Select(_ => Guid.CreateVersion7(now)).ToArray();
        var entered = moving.Select(m => m.StageEnteredAt).ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            WITH moved AS (
                UPDATE sales.opportunities
                SET stage_id = {to.Id}, probability = {to.Probability}, stage_entered_at = {now}, updated_at = {now}
                WHERE id = ANY({ids})
            )
            INSERT INTO sales.opportunity_stage_changes (id, opportunity_id, from_stage_id, to_stage_id, from_stage_entered_at, changed_at, changed_by)
            SELECT c.id, c.opportunity_id, {from.Id}, {to.Id}, c.entered_at, {now}, {by}::uuid
            FROM unnest({changeIds}, {ids}, {entered}) AS c(id, opportunity_id, entered_at)
            """, ct);
        await OutboxBulkWriter.CopyAsync(
            (NpgsqlConnection)db.Database.GetDbConnection(),
            SalesDbContext.SchemaName,
            moving.Select(m => OpportunityStageEvents.StageChanged(m.Id, m.CustomerId, from.Id, to, OpportunityStatus.Open, now)),
            ct);
        db.AddAuditSummary<Opportunity>(
            AuditAction.Updated, moving.Count, new Dictionary<string, object?> { ["stageId"] = to.Id, ["probability"] = to.Probability, ["retiredStageId"] = from.Id });
        return moving.Count;
    }
}

