using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A sales opportunity (商业机会): a possible deal with a customer, moving through the stages of a pipeline until
/// it is won or lost. Amounts are <c>numeric(18,2)</c> in <see cref="Currency"/>.
/// </summary>
[AuditEntityType("opportunity")]
internal sealed class Opportunity : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";
    public const int MaxNameLength = 200;
    public const int MaxSourceLength = 50;
    public const int MaxDescriptionLength = 2000;
    public const int MaxExternalIdLength = 100;

    private Opportunity()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public Guid CustomerId { get; private set; }

    public Guid? ContactId { get; private set; }

    /// <summary>The lead it was converted from, if any.</summary>
    public Guid? LeadId { get; private set; }

    public Guid PipelineId { get; private set; }

    public Guid StageId { get; private set; }

    public OpportunityStatus Status { get; private set; }

    public decimal Amount { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    /// <summary>Win probability in percent: the stage's default unless set on the opportunity.</summary>
    public int Probability { get; private set; }

    public DateOnly? ExpectedCloseDate { get; private set; }

    public Guid? OwnerId { get; private set; }

    public Guid? TeamId { get; private set; }

    /// <summary>The agent or distributor (代理商) or partner who brought or handles the deal.</summary>
    public Guid? PartnerId { get; private set; }

    /// <summary>Where the deal came from (exhibition, referral, website...), free text.</summary>
    public string? Source { get; private set; }

    public string? Description { get; private set; }

    /// <summary>The deal's id in another system (ERP, an older CRM): unique when present; the import matches on it.</summary>
    public string? ExternalId { get; private set; }

    public DateTimeOffset StageEnteredAt { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Why it was lost (required to lose one); cleared when it is reopened.</summary>
    public string? LostReason { get; private set; }

    /// <summary>The competitor it was lost to, when known; cleared when it is reopened.</summary>
    public Guid? LostToCompetitorId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Opportunity Create(
        string name,
        Guid customerId,
        Guid? contactId,
        Guid? leadId,
        PipelineStage stage,
        decimal amount,
        string currency,
        DateOnly? expectedCloseDate,
        Guid? ownerId,
        Guid? teamId,
        DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            Name = name.Trim(),
            CustomerId = customerId,
            ContactId = contactId,
            LeadId = leadId,
            PipelineId = stage.PipelineId,
            StageId = stage.Id,
            Status = OpportunityStatus.Open,
            Amount = amount,
            Currency = currency,
            Probability = stage.Probability,
            ExpectedCloseDate = expectedCloseDate,
            OwnerId = ownerId,
            TeamId = teamId,
            StageEnteredAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>Whether it is still open: won and lost opportunities are read-only until reopened.</summary>
    public bool IsOpen => Status == OpportunityStatus.Open;

    /// <summary>The fields a merge patch may change, as they are now.</summary>
    public OpportunityDetails Details() => new(Name, Amount, Currency, ExpectedCloseDate, ContactId, PartnerId, Source, Description, ExternalId);

    /// <summary>
    /// Replaces the editable fields of an open opportunity. Closed ones are read-only: the funnel, the forecast and
    /// commissions already counted their amount and outcome, so a change needs a reopen (which is in the history).
    /// </summary>
    public void Update(OpportunityDetails details, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(details);
        EnsureOpen();
        Name = details.Name.Trim();
        Amount = details.Amount;
        Currency = details.Currency.ToUpperInvariant();
        ExpectedCloseDate = details.ExpectedCloseDate;
        ContactId = details.ContactId;
        PartnerId = details.PartnerId;
        Source = string.IsNullOrWhiteSpace(details.Source) ? null : details.Source.Trim();
        Description = string.IsNullOrWhiteSpace(details.Description) ? null : details.Description.Trim();
        ExternalId = string.IsNullOrWhiteSpace(details.ExternalId) ? null : details.ExternalId.Trim();
        UpdatedAt = now;
    }

    /// <summary>While an opportunity has product lines its amount is their total: set after every line change.</summary>
    public void ApplyLineTotal(decimal total, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        EnsureOpen();
        Amount = total;
        UpdatedAt = now;
    }

    /// <summary>Gives an open opportunity to another owner; the team becomes the new owner's.</summary>
    public void AssignOwner(Guid ownerId, Guid? teamId, DateTimeOffset now)
    {
        EnsureOpen();
        OwnerId = ownerId;
        TeamId = teamId;
        UpdatedAt = now;
    }

    /// <summary>Drops a probability override: back to the default of the stage it is in.</summary>
    public void ResetProbability(PipelineStage stage, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.Id != StageId)
        {
            throw new InvalidOperationException("Not the opportunity's stage.");
        }

        EnsureOpen();
        Probability = stage.Probability;
        UpdatedAt = now;
    }

    /// <summary>Names the partner or distributor on the deal (null for none).</summary>
    public void AssignPartner(Guid? partnerId) => PartnerId = partnerId;

    /// <summary>
    /// Sets this opportunity's own win probability (0 to 100), overriding its stage's default until the next move.
    /// Closed opportunities keep the probability of their closing stage.
    /// </summary>
    public void OverrideProbability(int probability, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 100);
        if (Status != OpportunityStatus.Open)
        {
            throw new InvalidOperationException("A closed opportunity keeps its closing stage's probability.");
        }

        Probability = probability;
        UpdatedAt = now;
    }

    /// <summary>
    /// Moves the opportunity to <paramref name="stage"/> of its pipeline: the probability becomes the stage's default,
    /// a closing stage closes it (won or lost) and reopening clears the close. Returns the history entry to store, or
    /// null when it is already in that stage.
    /// </summary>
    public OpportunityStageChange? MoveTo(PipelineStage stage, Guid? changedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.PipelineId != PipelineId)
        {
            throw new InvalidOperationException("A stage of another pipeline.");
        }

        if (stage.Id == StageId)
        {
            return null;
        }

        var change = OpportunityStageChange.Create(Id, StageId, stage.Id, StageEnteredAt, changedBy, now);
        StageId = stage.Id;
        Probability = stage.Probability;
        StageEnteredAt = now;
        Status = stage.Kind switch
        {
            StageKind.Won => OpportunityStatus.Won,
            StageKind.Lost => OpportunityStatus.Lost,
            _ => OpportunityStatus.Open,
        };
        ClosedAt = Status == OpportunityStatus.Open ? null : now;
        LostReason = null;
        LostToCompetitorId = null;
        UpdatedAt = now;
        return change;
    }

    /// <summary>Wins an open opportunity: moves it to <paramref name="wonStage"/>, its pipeline's won stage.</summary>
    public OpportunityStageChange Win(PipelineStage wonStage, Guid? changedBy, DateTimeOffset now) =>
        Close(wonStage, StageKind.Won, changedBy, now);

    /// <summary>
    /// Loses an open opportunity for <paramref name="reason"/>, to <paramref name="competitorId"/> when known: moves it to
    /// its pipeline's lost stage.
    /// </summary>
    public OpportunityStageChange Lose(PipelineStage lostStage, string reason, Guid? changedBy, DateTimeOffset now, Guid? competitorId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var change = Close(lostStage, StageKind.Lost, changedBy, now);
        LostReason = reason.Trim();
        LostToCompetitorId = competitorId;
        return change;
    }

    /// <summary>Reopens a won or lost opportunity in the open stage <paramref name="stage"/>.</summary>
    public OpportunityStageChange Reopen(PipelineStage stage, Guid? changedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (Status == OpportunityStatus.Open)
        {
            throw new InvalidOperationException("The opportunity is open already.");
        }

        if (stage.Kind != StageKind.Open)
        {
            throw new InvalidOperationException("An opportunity reopens in an open stage.");
        }

        return MoveTo(stage, changedBy, now)!;
    }

    private void EnsureOpen()
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException("A won or lost opportunity is read-only: reopen it first.");
        }
    }

    private OpportunityStageChange Close(PipelineStage stage, StageKind kind, Guid? changedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.Kind != kind)
        {
            throw new InvalidOperationException($"Not a {kind} stage.");
        }

        // Closing twice (or won to lost directly) would rewrite the outcome the reports already counted: reopen first.
        if (Status != OpportunityStatus.Open)
        {
            throw new InvalidOperationException("The opportunity is closed already: reopen it first.");
        }

        return MoveTo(stage, changedBy, now)!;
    }
}

/// <summary>
/// One move of an opportunity between stages (stage history): the funnel derives stage-to-stage conversion and
/// the days spent in each stage from these rows. Append-only.
/// </summary>
internal sealed class OpportunityStageChange
{
    private OpportunityStageChange()
    {
    }

    public Guid Id { get; private set; }

    public Guid OpportunityId { get; private set; }

    public Guid FromStageId { get; private set; }

    public Guid ToStageId { get; private set; }

    /// <summary>When the opportunity entered the stage it left, so time in stage needs no self-join.</summary>
    public DateTimeOffset FromStageEnteredAt { get; private set; }

    public DateTimeOffset ChangedAt { get; private set; }

    public Guid? ChangedBy { get; private set; }

    public static OpportunityStageChange Create(Guid opportunityId, Guid fromStageId, Guid toStageId, DateTimeOffset fromStageEnteredAt, Guid? changedBy, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            OpportunityId = opportunityId,
            FromStageId = fromStageId,
            ToStageId = toStageId,
            FromStageEnteredAt = fromStageEnteredAt,
            ChangedAt = now,
            ChangedBy = changedBy,
        };
}

/// <summary>The editable fields of an opportunity (see <see cref="Opportunity.Update"/>).</summary>
internal sealed record OpportunityDetails(
    string Name,
    decimal Amount,
    string Currency,
    DateOnly? ExpectedCloseDate,
    Guid? ContactId,
    Guid? PartnerId,
    string? Source,
    string? Description,
    string? ExternalId = null);

/// <summary>Open until it reaches a closing stage.</summary>
internal enum OpportunityStatus
{
    Open,
    Won,
    Lost,
}
