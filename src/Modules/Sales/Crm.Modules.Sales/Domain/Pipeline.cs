using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A sales pipeline (销售渠道): the ordered stages an opportunity moves through. The default one has the four
/// stages of the source material plus the two closing stages; managers configure others.
/// </summary>
[AuditEntityType("pipeline")]
internal sealed class Pipeline : IAuditable
{
    /// <summary>The default pipeline, created by the first migration.</summary>
    public static readonly Guid DefaultId = new("01930000-0000-7000-8000-000000000001");

    private Pipeline()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public bool IsDefault { get; private set; }

    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Pipeline Create(string name, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Name = name.Trim(), Active = true, CreatedAt = now, UpdatedAt = now };

    /// <summary>Marks it the default pipeline; the caller clears the previous default in the same transaction.</summary>
    public void MakeDefault(DateTimeOffset now)
    {
        if (!Active)
        {
            throw new InvalidOperationException("An inactive pipeline cannot be the default.");
        }

        IsDefault = true;
        UpdatedAt = now;
    }
}

/// <summary>
/// A stage of a pipeline with its default win probability (percent). <see cref="Kind"/> says whether an
/// opportunity in it is still open or closed won / lost; every pipeline has exactly one stage of each closing kind.
/// </summary>
internal sealed class PipelineStage
{
    private PipelineStage()
    {
    }

    public Guid Id { get; private set; }

    public Guid PipelineId { get; private set; }

    /// <summary>A camelCase code, unique in the pipeline (<c>initialContact</c>).</summary>
    public string Code { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    /// <summary>The position in the pipeline, from 1; closing stages come last.</summary>
    public int Position { get; private set; }

    /// <summary>The default win probability of an opportunity in this stage, 0 to 100.</summary>
    public int Probability { get; private set; }

    public StageKind Kind { get; private set; }

    public static PipelineStage Create(Guid pipelineId, string code, string name, int position, int probability, StageKind kind, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            PipelineId = pipelineId,
            Code = code,
            Name = name,
            Position = position,
            Probability = probability,
            Kind = kind,
        };

    /// <summary>The default pipeline's stages (ids fixed, so the migration and the code agree).</summary>
    internal static IReadOnlyList<object> DefaultStagesSeed() =>
    [
        Seed(1, "initialContact", "初期联络 Initial contact", 10, StageKind.Open),
        Seed(2, "intentReached", "意向达成 Intent reached", 30, StageKind.Open),
        Seed(3, "businessNegotiation", "商务谈判 Business negotiation", 60, StageKind.Open),
        Seed(4, "contractSigned", "合同签订 Contract signed", 90, StageKind.Open),
        Seed(5, "closedWon", "赢单 Closed won", 100, StageKind.Won),
        Seed(6, "closedLost", "输单 Closed lost", 0, StageKind.Lost),
    ];

    private static object Seed(int position, string code, string name, int probability, StageKind kind) => new
    {
        Id = new Guid($"01930000-0000-7000-8000-0000000001{position:D2}"),
        PipelineId = Pipeline.DefaultId,
        Code = code,
        Name = name,
        Position = position,
        Probability = probability,
        Kind = kind,
    };
}

/// <summary>Whether a stage is open or closes the opportunity.</summary>
internal enum StageKind
{
    Open,
    Won,
    Lost,
}
