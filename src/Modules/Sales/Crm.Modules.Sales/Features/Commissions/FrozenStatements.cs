using System.Globalization;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Commissions;

/// <summary>A frozen commission statement (佣金结算单) of one rep and month.</summary>
/// <param name="Id">Statement id.</param>
/// <param name="UserId">The rep.</param>
/// <param name="From">First day of the month.</param>
/// <param name="Status">frozen or approved.</param>
/// <param name="ReceivedAmount">Sum of the receipts received in the month, as frozen.</param>
/// <param name="ReversedAmount">Sum of the receipts reversed in the month (positive), as frozen.</param>
/// <param name="NetAmount">Received less reversed.</param>
/// <param name="CommissionTotal">Sum of the lines' commissions.</param>
/// <param name="LineCount">How many lines were frozen.</param>
/// <param name="FrozenAt">When it was frozen.</param>
/// <param name="FrozenBy">Who froze it.</param>
/// <param name="ApprovedAt">When it was approved; null while frozen.</param>
/// <param name="ApprovedBy">Who approved it; null while frozen.</param>
/// <param name="Lines">The lines as they were computed when the statement was frozen, by day; null in the list.</param>
internal sealed record FrozenCommissionStatementResponse(
    Guid Id,
    Guid UserId,
    DateOnly From,
    CommissionStatementStatus Status,
    decimal ReceivedAmount,
    decimal ReversedAmount,
    decimal NetAmount,
    decimal CommissionTotal,
    int LineCount,
    DateTimeOffset FrozenAt,
    Guid FrozenBy,
    DateTimeOffset? ApprovedAt,
    Guid? ApprovedBy,
    IReadOnlyList<CommissionLineResponse>? Lines = null)
{
    /// <summary>The month, yyyy-MM.</summary>
    public string Period => CommissionPeriod.Format(From);

    /// <summary>Last day of the month.</summary>
    public DateOnly To => From.AddMonths(1).AddDays(-1);

    /// <summary>The currency of the totals and commissions: CNY.</summary>
    public string Currency => CommissionLines.Currency;
}

internal sealed record VersionedFrozenStatement(FrozenCommissionStatementResponse Statement, uint Version);

internal static class FrozenStatementProblems
{
    public const string AlreadyFrozenType = ProblemTypes.BaseUri + "commission-statement-frozen";
    public const string PeriodOpenType = ProblemTypes.BaseUri + "commission-period-open";
    public const string AlreadyApprovedType = ProblemTypes.BaseUri + "commission-statement-approved";
    public const string FourEyesType = ProblemTypes.BaseUri + "commission-four-eyes";

    public static ConflictException AlreadyFrozen(Guid userId, DateOnly from) =>
        new(AlreadyFrozenType, "Statement already frozen",
            $"The commission statement of user '{userId}' for {CommissionPeriod.Format(from)} is frozen already; an administrator may reopen it.");

    /// <summary>Only ended months freeze: receipts and reversals of a running month are still arriving (422 otherwise).</summary>
    public static void EnsureEnded(DateOnly from, DateTimeOffset now)
    {
        if (DateOnly.FromDateTime(now.UtcDateTime) < from.AddMonths(1))
        {
            throw new BusinessRuleException(
                PeriodOpenType, "Period not ended", $"{CommissionPeriod.Format(from)} has not ended yet; a month can be frozen from the first day of the next one (UTC).");
        }
    }

    public static ConflictException AlreadyApproved(Guid id) =>
        new(AlreadyApprovedType, "Statement already approved", $"Commission statement '{id}' is approved already.");

    public static ProblemException FourEyes() =>
        new(403, FourEyesType, "Second approver required",
            "A statement is approved by an administrator or by a manager other than the one who froze it and other than its rep.");

    public static ProblemException AdminsOnly() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only administrators reopen a frozen commission statement.");

    public static NotFoundException NotFound(Guid userId, DateOnly from) => new("Frozen commission statement", $"{userId}/{CommissionPeriod.Format(from)}");
}

internal static class FrozenStatementProjection
{
    public static readonly SortDefinition<CommissionStatement, FrozenCommissionStatementResponse> Sort =
        new SortDefinition<CommissionStatement, FrozenCommissionStatementResponse>(s => s.Id, s => s.Id, "-period")
            .Add("period", s => s.PeriodStart, s => s.From)
            .Add("frozenAt", s => s.FrozenAt, s => s.FrozenAt);

    public static readonly System.Linq.Expressions.Expression<Func<CommissionStatement, FrozenCommissionStatementResponse>> ToSummary = s =>
        new FrozenCommissionStatementResponse(
            s.Id, s.UserId, s.PeriodStart, s.Status, s.ReceivedAmount, s.ReversedAmount, s.NetAmount, s.CommissionTotal, s.LineCount, s.FrozenAt, s.FrozenBy,
            s.ApprovedAt, s.ApprovedBy);

    private static readonly Func<CommissionStatement, FrozenCommissionStatementResponse> Summary = ToSummary.Compile();

    /// <summary>The statement with its stored lines (one query).</summary>
    public static async Task<VersionedFrozenStatement> LoadAsync(SalesDbContext db, CommissionStatement statement, CancellationToken ct)
    {
        var lines = await CommissionLines.Of(db, [statement.Id]).ToListAsync(ct);
        return new VersionedFrozenStatement(
            Summary(statement) with { Lines = lines.Select(l => CommissionLines.ToResponse(CommissionLines.FromFrozen(l, statement.UserId))).ToList() },
            statement.Version);
    }

    /// <summary>The visible frozen statement of the rep and month, tracked; 404 when there is none or the rep is not visible.</summary>
    public static async Task<CommissionStatement> FindVisibleAsync(SalesDbContext db, IAccessScopeProvider access, Guid userId, DateOnly from, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return await db.CommissionStatements.Where(s => s.UserId == userId && s.PeriodStart == from).Where(scope.Filter<CommissionStatement>(s => s.UserId))
            .SingleOrDefaultAsync(ct) ?? throw FrozenStatementProblems.NotFound(userId, from);
    }
}

/// <summary>Validates the <c>{period}</c> of the statement routes.</summary>
internal abstract class StatementPeriodValidator<T> : AbstractValidator<T>
    where T : IStatementPeriodRequest
{
    protected StatementPeriodValidator() =>
        RuleFor(r => r.Period).Must(p => CommissionPeriod.TryParse(p, out _)).WithMessage(CommissionPeriod.FormatMessage);
}

internal interface IStatementPeriodRequest
{
    string Period { get; }

    DateOnly From => CommissionPeriod.TryParse(Period, out var from) ? from : default;
}

/// <summary>Freeze a rep's statement of an ended month.</summary>
internal sealed record FreezeCommissionStatementRequest(Guid UserId, string Period) : IRequest<VersionedFrozenStatement>, IStatementPeriodRequest;

internal sealed class FreezeCommissionStatementValidator : StatementPeriodValidator<FreezeCommissionStatementRequest>;

internal sealed class FreezeCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<FreezeCommissionStatementRequest, VersionedFrozenStatement>
{
    public async Task<VersionedFrozenStatement> Handle(FreezeCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        var from = ((IStatementPeriodRequest)request).From;
        var scope = await access.GetAsync(cancellationToken);
        if (!scope.SeesAll && !scope.VisibleOwners.Contains(request.UserId))
        {
            throw new NotFoundException("User", request.UserId);
        }

        if (await users.FindByIdAsync(request.UserId, cancellationToken) is null)
        {
            throw CommissionProblems.UnknownRep(request.UserId);
        }

        var now = time.UtcNow();
        FrozenStatementProblems.EnsureEnded(from, now);
        if (await db.CommissionStatements.AnyAsync(s => s.UserId == request.UserId && s.PeriodStart == from, cancellationToken))
        {
            throw FrozenStatementProblems.AlreadyFrozen(request.UserId, from);
        }

        var statement = (await FrozenStatementWriter.FreezeAsync(
            db, [request.UserId], from, actor.Id!.Value, now, _ => FrozenStatementProblems.AlreadyFrozen(request.UserId, from), cancellationToken)).Single();
        return await FrozenStatementProjection.LoadAsync(db, statement, cancellationToken);
    }
}

/// <summary>A rep's frozen statement of a month.</summary>
internal sealed record GetFrozenCommissionStatementRequest(Guid UserId, string Period) : IRequest<VersionedFrozenStatement>, IStatementPeriodRequest;

internal sealed class GetFrozenCommissionStatementValidator : StatementPeriodValidator<GetFrozenCommissionStatementRequest>;

internal sealed class GetFrozenCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access)
    : IRequestHandler<GetFrozenCommissionStatementRequest, VersionedFrozenStatement>
{
    public async Task<VersionedFrozenStatement> Handle(GetFrozenCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        var statement = await FrozenStatementProjection.FindVisibleAsync(db, access, request.UserId, ((IStatementPeriodRequest)request).From, cancellationToken);
        return await FrozenStatementProjection.LoadAsync(db, statement, cancellationToken);
    }
}

/// <summary>Approve a frozen statement (four eyes: an administrator, or a manager who neither froze it nor is its rep).</summary>
internal sealed record ApproveCommissionStatementRequest(Guid UserId, string Period, IfMatch IfMatch, bool CallerIsAdmin)
    : IRequest<VersionedFrozenStatement>, IStatementPeriodRequest;

internal sealed class ApproveCommissionStatementValidator : StatementPeriodValidator<ApproveCommissionStatementRequest>;

internal sealed class ApproveCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ApproveCommissionStatementRequest, VersionedFrozenStatement>
{
    public async Task<VersionedFrozenStatement> Handle(ApproveCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        var statement = await FrozenStatementProjection.FindVisibleAsync(db, access, request.UserId, ((IStatementPeriodRequest)request).From, cancellationToken);
        request.IfMatch.EnsureMatches(statement.Version);
        var approver = actor.Id!.Value;
        if (!request.CallerIsAdmin && (approver == statement.FrozenBy || approver == statement.UserId))
        {
            throw FrozenStatementProblems.FourEyes();
        }

        var now = time.UtcNow();
        if (!statement.Approve(approver, now))
        {
            throw FrozenStatementProblems.AlreadyApproved(statement.Id);
        }

        db.AddIntegrationEvent(new CommissionStatementApproved(now)
        {
            StatementId = statement.Id, UserId = statement.UserId, Period = CommissionPeriod.Format(statement.PeriodStart), NetAmount = statement.NetAmount,
            CommissionTotal = statement.CommissionTotal, FrozenBy = statement.FrozenBy, ApprovedBy = approver,
        });
        await db.SaveChangesAsync(cancellationToken);
        return await FrozenStatementProjection.LoadAsync(db, statement, cancellationToken);
    }
}

/// <summary>Reopen a frozen statement: delete the frozen copy, so the month is computed from the rules again (administrators).</summary>
/// <param name="Reason">Why (required, at most 500 characters); kept in the audit trail.</param>
internal sealed record ReopenCommissionStatementRequest(string? Reason) : IRequest<Unit>, IStatementPeriodRequest
{
    [JsonIgnore]
    public Guid UserId { get; init; }

    [JsonIgnore]
    public string Period { get; init; } = string.Empty;

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    [JsonIgnore]
    public bool CallerIsAdmin { get; init; }
}

internal sealed class ReopenCommissionStatementValidator : StatementPeriodValidator<ReopenCommissionStatementRequest>
{
    public ReopenCommissionStatementValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(CommissionStatement.MaxReasonLength);
}

internal sealed class ReopenCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ReopenCommissionStatementRequest, Unit>
{
    public async Task<Unit> Handle(ReopenCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        if (!request.CallerIsAdmin)
        {
            throw FrozenStatementProblems.AdminsOnly();
        }

        var statement = await FrozenStatementProjection.FindVisibleAsync(db, access, request.UserId, ((IStatementPeriodRequest)request).From, cancellationToken);
        request.IfMatch.EnsureMatches(statement.Version);

        // One statement deletes the header and, by cascade, its lines; the audit entry keeps what was deleted and why.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var version = statement.Version;
        var deleted = await db.CommissionStatements.Where(s => s.Id == statement.Id && s.Version == version).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            throw new PreconditionFailedException($"Commission statement '{statement.Id}' changed while it was being reopened; read it again.");
        }

        db.Entry(statement).State = EntityState.Detached;
        db.AddAuditSummary<CommissionStatement>(AuditAction.Deleted, deleted, new Dictionary<string, object?>
        {
            ["statementId"] = statement.Id, ["period"] = CommissionPeriod.Format(statement.PeriodStart), ["status"] = statement.Status,
            ["commissionTotal"] = statement.CommissionTotal, ["frozenBy"] = statement.FrozenBy, ["reason"] = request.Reason!.Trim(),
        }, statement.UserId);
        db.AddIntegrationEvent(new CommissionStatementReopened(time.UtcNow())
        {
            StatementId = statement.Id, UserId = statement.UserId, Period = CommissionPeriod.Format(statement.PeriodStart),
            Status = statement.Status.ToString().ToLowerInvariant(), CommissionTotal = statement.CommissionTotal, FrozenBy = statement.FrozenBy,
            ApprovedBy = statement.ApprovedBy, ReopenedBy = actor.Id!.Value, Reason = request.Reason!.Trim(),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Unit.Value;
    }
}

/// <summary>Filters of the frozen statement list.</summary>
/// <param name="UserId">Only this rep.</param>
/// <param name="Period">Only this month (yyyy-MM).</param>
/// <param name="Status">frozen or approved.</param>
internal sealed record FrozenStatementFilter(Guid? UserId, string? Period, CommissionStatementStatus? Status);

internal sealed record ListFrozenCommissionStatementsRequest(PageRequest Page, string? Sort, FrozenStatementFilter Filter)
    : IRequest<Page<FrozenCommissionStatementResponse>>;

internal sealed class ListFrozenCommissionStatementsValidator : AbstractValidator<ListFrozenCommissionStatementsRequest>
{
    public ListFrozenCommissionStatementsValidator()
    {
        RuleFor(r => r.Filter.Period).Must(p => p is null || CommissionPeriod.TryParse(p, out _)).WithMessage(CommissionPeriod.FormatMessage)
            .OverridePropertyName("period");
        RuleFor(r => r.Filter.Status).NotEqual(CommissionStatementStatus.Computed).WithMessage("status is frozen or approved.").OverridePropertyName("status");
    }
}

internal sealed class ListFrozenCommissionStatementsHandler(SalesDbContext db, IAccessScopeProvider access)
    : IRequestHandler<ListFrozenCommissionStatementsRequest, Page<FrozenCommissionStatementResponse>>
{
    public async Task<Page<FrozenCommissionStatementResponse>> Handle(ListFrozenCommissionStatementsRequest request, CancellationToken cancellationToken)
    {
        var order = FrozenStatementProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var statements = db.CommissionStatements.AsNoTracking().Where(scope.Filter<CommissionStatement>(s => s.UserId));
        var filter = request.Filter;
        if (filter.UserId is { } userId)
        {
            statements = statements.Where(s => s.UserId == userId);
        }

        if (filter.Period is not null && CommissionPeriod.TryParse(filter.Period, out var from))
        {
            statements = statements.Where(s => s.PeriodStart == from);
        }

        if (filter.Status is { } status)
        {
            statements = statements.Where(s => s.Status == status);
        }

        return await statements.ToPageAsync(FrozenStatementProjection.ToSummary, order, request.Page, cancellationToken);
    }
}
