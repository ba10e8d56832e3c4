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

    /// <summary>The Chinese display name (默认销售流程), when it differs from <see cref="Name"/>.</summary>
    public string? NameZh { get; private set; }

    public bool IsDefault { get; private set; }

    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Pipeline Create(string name, DateTimeOffset now, string? nameZh = null) =>
        new() { Id = Guid.CreateVersion7(now), Name = name.Trim(), NameZh = PipelineStage.Clean(nameZh), Active = true, CreatedAt = now, UpdatedAt = now };

    /// <summary>Renames it; a null <paramref name="nameZh"/> clears the Chinese name.</summary>
    public void Rename(string name, string? nameZh, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        NameZh = PipelineStage.Clean(nameZh);
        UpdatedAt = now;
    }

    /// <summary>
    /// Activates or deactivates it: an inactive pipeline takes no new opportunities, the ones in it carry on. The
    /// default pipeline stays active (new opportunities without a pipeline land there).
    /// </summary>
    public void SetActive(bool active, DateTimeOffset now)
    {
        if (!active && IsDefault)
        {
            throw new InvalidOperationException("The default pipeline cannot be deactivated.");
        }

        Active = active;
        UpdatedAt = now;
    }

    /// <summary>
    /// Marks a change of its stages: the pipeline's row version (its ETag) covers the stages, so every stage edit
    /// updates this row and concurrent edits of one pipeline conflict instead of overwriting each other.
    /// </summary>
    public void Touch(DateTimeOffset now) => UpdatedAt = now;

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
/// Open stages are retired rather than deleted (the stage history refers to them) and may come back.
/// </summary>
[AuditEntityType("pipelineStage")]
internal sealed class PipelineStage : IAuditable
{
    public const int MaxNameLength = 100;

    private PipelineStage()
    {
    }

    public Guid Id { get; private set; }

    public Guid PipelineId { get; private set; }

    /// <summary>A camelCase code, unique in the pipeline (<c>initialContact</c>).</summary>
    public string Code { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    /// <summary>The Chinese display name (商务谈判), when it differs from <see cref="Name"/>.</summary>
    public string? NameZh { get; private set; }

    /// <summary>
    /// The position in the pipeline, from 1: the active open stages in order, then the won and the lost stage, then the
    /// retired stages. Positions are renumbered as a whole when the order changes.
    /// </summary>
    public int Position { get; private set; }

    /// <summary>False once retired: no opportunity enters it any more, and the funnel leaves it out.</summary>
    public bool Active { get; private set; }

    /// <summary>The default win probability of an opportunity in this stage, 0 to 100.</summary>
    public int Probability { get; private set; }

    public StageKind Kind { get; private set; }

    public bool IsClosing => Kind != StageKind.Open;

    public static PipelineStage Create(Guid pipelineId, string code, string name, int position, int probability, StageKind kind, DateTimeOffset now, string? nameZh = null) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            PipelineId = pipelineId,
            Code = code,
            Name = name,
            NameZh = Clean(nameZh),
            Position = position,
            Probability = probability,
            Kind = kind,
            Active = true,
        };

    /// <summary>Renames it; a null <paramref name="nameZh"/> clears the Chinese name. The code never changes.</summary>
    public void Rename(string name, string? nameZh)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        NameZh = Clean(nameZh);
    }

    /// <summary>
    /// Sets the default win probability of an open stage. Opportunities keep the probability they have: it was set
    /// when they entered the stage (or overridden since), and a default change applies from the next move on.
    /// </summary>
    public void ChangeProbability(int probability)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 100);
        if (IsClosing && probability != Probability)
        {
            throw new InvalidOperationException("A won stage has probability 100 and a lost one 0.");
        }

        Probability = probability;
    }

    /// <summary>Retires an open stage; the caller moves its open opportunities elsewhere in the same transaction.</summary>
    public void Retire()
    {
        if (IsClosing)
        {
            throw new InvalidOperationException("The won and lost stages cannot be retired.");
        }

        Active = false;
    }

    /// <summary>Brings a retired stage back; the caller puts it at the end of the open stages.</summary>
    public void Reactivate() => Active = true;

    internal static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The default pipeline's stages (ids fixed, so the migration and the code agree).</summary>
    internal static IReadOnlyList<object> DefaultStagesSeed() =>
    [
        Seed(1, "initialContact", "初期联络 Initial contact", "初期联络", 10, StageKind.Open),
        Seed(2, "intentReached", "意向达成 Intent reached", "意向达成", 30, StageKind.Open),
        Seed(3, "businessNegotiation", "商务谈判 Business negotiation", "商务谈判", 60, StageKind.Open),
        Seed(4, "contractSigned", "合同签订 Contract signed", "合同签订", 90, StageKind.Open),
        Seed(5, "closedWon", "赢单 Closed won", "赢单", 100, StageKind.Won),
        Seed(6, "closedLost", "输单 Closed lost", "输单", 0, StageKind.Lost),
    ];

    private static object Seed(int position, string code, string name, string nameZh, int probability, StageKind kind) => new
    {
        Id = new Guid($"01930000-0000-7000-8000-0000000001{position:D2}"),
        PipelineId = Pipeline.DefaultId,
        Code = code,
        Name = name,
        NameZh = nameZh,
        Position = position,
        Probability = probability,
        Kind = kind,
        Active = true,
    };
}

/// <summary>Whether a stage is open or closes the opportunity.</summary>
internal enum StageKind
{
    Open,
    Won,
    Lost,
}
