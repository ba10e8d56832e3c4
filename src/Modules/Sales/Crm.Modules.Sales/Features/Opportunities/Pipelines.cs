using System.Text.RegularExpressions;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>A stage of a pipeline.</summary>
/// <param name="Id">Stage id.</param>
/// <param name="Code">camelCase code, unique in the pipeline.</param>
/// <param name="Name">Display name.</param>
/// <param name="NameZh">Chinese display name, if set.</param>
/// <param name="Position">Position from 1: the active open stages in order, then won and lost, then the retired stages.</param>
/// <param name="Probability">Default win probability in percent.</param>
/// <param name="Kind">open, won or lost.</param>
/// <param name="Active">False for a retired stage: no opportunity enters it, the funnel leaves it out, its history stays.</param>
internal sealed record PipelineStageResponse(Guid Id, string Code, string Name, string? NameZh, int Position, int Probability, StageKind Kind, bool Active);

/// <summary>A sales pipeline (销售渠道) with its stages in order.</summary>
/// <param name="Id">Pipeline id.</param>
/// <param name="Name">Name (unique).</param>
/// <param name="NameZh">Chinese name, if set.</param>
/// <param name="IsDefault">New opportunities without pipelineId run in the default pipeline.</param>
/// <param name="Active">Only active pipelines take new opportunities.</param>
/// <param name="Stages">The stages by position.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record PipelineResponse(Guid Id, string Name, string? NameZh, bool IsDefault, bool Active, IReadOnlyList<PipelineStageResponse> Stages, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A pipeline with the row version that becomes its ETag.</summary>
internal sealed record VersionedPipeline(PipelineResponse Pipeline, uint Version);

/// <summary>One stage of a new pipeline.</summary>
/// <param name="Code">camelCase code, unique in the pipeline (required, at most 50 characters).</param>
/// <param name="Name">Display name (required, at most 100 characters).</param>
/// <param name="Probability">Default win probability, 0 to 100 (required; a won stage is 100, a lost one 0).</param>
/// <param name="Kind">open (default), won or lost.</param>
/// <param name="NameZh">Chinese display name (optional, at most 100 characters).</param>
internal sealed record PipelineStageRequest(string? Code, string? Name, int? Probability, StageKind? Kind = null, string? NameZh = null);

/// <summary>Create a pipeline with its stages, in order (managers and administrators).</summary>
/// <param name="Name">Name (required, unique, at most 100 characters).</param>
/// <param name="Stages">The open stages in order, then exactly one won and one lost stage (at most 30 stages).</param>
/// <param name="NameZh">Chinese name (optional, at most 100 characters).</param>
internal sealed record CreatePipelineRequest(string? Name, IReadOnlyList<PipelineStageRequest>? Stages, string? NameZh = null) : IRequest<VersionedPipeline>;

internal sealed class CreatePipelineValidator : AbstractValidator<CreatePipelineRequest>
{
    public const int MaxStages = 30;

    public CreatePipelineValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(PipelineStage.MaxNameLength);
        RuleFor(r => r.NameZh).MaximumLength(PipelineStage.MaxNameLength);
        RuleFor(r => r.Stages).NotEmpty().Must(s => s is null || s.Count <= MaxStages).WithMessage($"At most {MaxStages} stages.");
        RuleForEach(r => r.Stages).ChildRules(stage =>
        {
            stage.RuleFor(s => s.Code).StageCode();
            stage.RuleFor(s => s.Name).NotEmpty().MaximumLength(PipelineStage.MaxNameLength);
            stage.RuleFor(s => s.NameZh).MaximumLength(PipelineStage.MaxNameLength);
            stage.RuleFor(s => s.Probability).NotNull().InclusiveBetween(0, 100);
            stage.RuleFor(s => s.Probability).Equal(100).When(s => s.Kind == StageKind.Won).WithMessage("A won stage has probability 100.");
            stage.RuleFor(s => s.Probability).Equal(0).When(s => s.Kind == StageKind.Lost).WithMessage("A lost stage has probability 0.");
        });
        When(r => r.Stages is { Count: > 0 }, () =>
        {
            RuleFor(r => r.Stages!).Must(s => s.Select(x => x.Code?.Trim()).Distinct(StringComparer.Ordinal).Count() == s.Count)
                .WithMessage("Stage codes are unique in a pipeline.").OverridePropertyName("stages");
            RuleFor(r => r.Stages!).Must(s => s.Count(x => x.Kind == StageKind.Won) == 1 && s.Count(x => x.Kind == StageKind.Lost) == 1)
                .WithMessage("A pipeline has exactly one won and one lost stage.").OverridePropertyName("stages");
            RuleFor(r => r.Stages!).Must(s => s.Any(x => (x.Kind ?? StageKind.Open) == StageKind.Open))
                .WithMessage("A pipeline has at least one open stage.").OverridePropertyName("stages");
            RuleFor(r => r.Stages!).Must(s => s.SkipWhile(x => (x.Kind ?? StageKind.Open) == StageKind.Open).All(x => x.Kind is StageKind.Won or StageKind.Lost))
                .WithMessage("The closing stages (won, lost) come after every open stage.").OverridePropertyName("stages");
        });
    }
}

internal static partial class PipelineRules
{
    /// <summary>A stage code: required, camelCase, at most 50 characters.</summary>
    public static IRuleBuilderOptions<T, string?> StageCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(50).Matches(CamelCase()).WithMessage("code is camelCase: a lower-case letter, then letters and digits.");

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex CamelCase();
}

internal sealed record GetPipelineRequest(Guid Id) : IRequest<VersionedPipeline>;

internal sealed record ListPipelinesRequest : IRequest<IReadOnlyList<PipelineResponse>>;

/// <summary>Make a pipeline the default one (managers and administrators).</summary>
internal sealed record SetDefaultPipelineRequest(Guid Id, IfMatch IfMatch) : IRequest<VersionedPipeline>;

internal sealed class PipelineHandlers(SalesDbContext db, TimeProvider time)
    : IRequestHandler<CreatePipelineRequest, VersionedPipeline>,
        IRequestHandler<GetPipelineRequest, VersionedPipeline>,
        IRequestHandler<ListPipelinesRequest, IReadOnlyList<PipelineResponse>>,
        IRequestHandler<SetDefaultPipelineRequest, VersionedPipeline>
{
    public async Task<VersionedPipeline> Handle(CreatePipelineRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!.Trim();
        if (await db.Pipelines.AnyAsync(p => p.Name == name, cancellationToken))
        {
            throw PipelineProblems.DuplicateName(name);
        }

        var now = time.UtcNow();
        var pipeline = Pipeline.Create(name, now, request.NameZh);
        db.Pipelines.Add(pipeline);
        db.PipelineStages.AddRange(request.Stages!.Select((s, i) =>
            PipelineStage.Create(pipeline.Id, s.Code!.Trim(), s.Name!.Trim(), i + 1, s.Probability!.Value, s.Kind ?? StageKind.Open, now, s.NameZh)));
        await db.SaveChangesAsync(cancellationToken);
        return await ReadAsync(pipeline.Id, cancellationToken);
    }

    public Task<VersionedPipeline> Handle(GetPipelineRequest request, CancellationToken cancellationToken) => ReadAsync(request.Id, cancellationToken);

    public async Task<IReadOnlyList<PipelineResponse>> Handle(ListPipelinesRequest request, CancellationToken cancellationToken)
    {
        // A handful of configuration rows: everything in two statements, default first, then by name.
        var pipelines = await db.Pipelines.AsNoTracking().OrderByDescending(p => p.IsDefault).ThenBy(p => p.Name).ToListAsync(cancellationToken);
        var stages = await db.PipelineStages.AsNoTracking().OrderBy(s => s.Position).ToListAsync(cancellationToken);
        var byPipeline = stages.ToLookup(s => s.PipelineId);
        return [.. pipelines.Select(p => ToResponse(p, byPipeline[p.Id]))];
    }

    public async Task<VersionedPipeline> Handle(SetDefaultPipelineRequest request, CancellationToken cancellationToken)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == request.Id, cancellationToken) ?? throw new NotFoundException("Pipeline", request.Id);
        request.IfMatch.EnsureMatches(pipeline.Version);
        if (!pipeline.Active)
        {
            throw new ConflictException(ProblemTypes.Conflict, "Pipeline inactive", $"Pipeline {pipeline.Id} is inactive and cannot be the default.");
        }

        if (!pipeline.IsDefault)
        {
            // Clear the old default first: a partial unique index allows one default row at a time.
            var now = time.UtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Pipelines.Where(p => p.IsDefault).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDefault, false).SetProperty(p => p.UpdatedAt, now), cancellationToken);
            pipeline.MakeDefault(now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return await ReadAsync(pipeline.Id, cancellationToken);
    }

    private Task<VersionedPipeline> ReadAsync(Guid id, CancellationToken ct) => ReadPipelineAsync(db, id, ct);

    /// <summary>The pipeline with its stages by position and its row version, as every pipeline endpoint answers.</summary>
    internal static async Task<VersionedPipeline> ReadPipelineAsync(SalesDbContext db, Guid id, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("Pipeline", id);
        var stages = await db.PipelineStages.AsNoTracking().Where(s => s.PipelineId == id).OrderBy(s => s.Position).ToListAsync(ct);
        return new VersionedPipeline(ToResponse(pipeline, stages), pipeline.Version);
    }

    private static PipelineResponse ToResponse(Pipeline p, IEnumerable<PipelineStage> stages) =>
        new(p.Id, p.Name, p.NameZh, p.IsDefault, p.Active, [.. stages.Select(s => new PipelineStageResponse(s.Id, s.Code, s.Name, s.NameZh, s.Position, s.Probability, s.Kind, s.Active))], p.CreatedAt, p.UpdatedAt);
}
