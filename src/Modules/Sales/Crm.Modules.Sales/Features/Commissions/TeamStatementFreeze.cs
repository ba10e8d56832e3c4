using System.Data;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Commissions;

/// <summary>Freeze the statements of every member of a team (and its sub-teams) for an ended month.</summary>
/// <param name="TeamId">The team (required): one the caller may report on (a manager's own team or below; any for administrators), else 404.</param>
/// <param name="Period">The month, yyyy-MM (required).</param>
internal sealed record FreezeTeamCommissionStatementsRequest(Guid? TeamId, string? Period) : IRequest<TeamFreezeResponse>;

/// <summary>What freezing a team's month did: one entry per current member of the team and its sub-teams, by user id.</summary>
/// <param name="TeamId">The team.</param>
/// <param name="Period">The month, yyyy-MM.</param>
/// <param name="From">First day of the month.</param>
/// <param name="To">Last day of the month.</param>
/// <param name="FrozenCount">Statements frozen by this call.</param>
/// <param name="SkippedCount">Members whose statement was frozen (or approved) already and was left as it was.</param>
/// <param name="Reps">Every member with the statement that now stands for the month.</param>
internal sealed record TeamFreezeResponse(
    Guid TeamId, string Period, DateOnly From, DateOnly To, int FrozenCount, int SkippedCount, IReadOnlyList<TeamFreezeRepResponse> Reps)
{
    /// <summary>The currency of the totals and commissions: CNY.</summary>
    public string Currency => CommissionLines.Currency;
}

/// <summary>Whether a member's statement was frozen by the call or was frozen before it.</summary>
internal enum TeamFreezeOutcome
{
    /// <summary>Frozen by this call.</summary>
    Frozen,

    /// <summary>Frozen (or approved) already; not changed.</summary>
    Skipped,
}

/// <summary>One member's statement after a team freeze.</summary>
/// <param name="UserId">The rep.</param>
/// <param name="Outcome">frozen (by this call) or skipped (frozen already).</param>
/// <param name="StatementId">The frozen statement (read it at <c>GET /sales/commissions/statements/{userId}/{period}</c>).</param>
/// <param name="Status">frozen or approved.</param>
/// <param name="NetAmount">Received less reversed, in CNY.</param>
/// <param name="CommissionTotal">Commission, in CNY.</param>
/// <param name="LineCount">Stored lines.</param>
/// <param name="FrozenAt">When it was frozen.</param>
/// <param name="FrozenBy">Who froze it.</param>
internal sealed record TeamFreezeRepResponse(
    Guid UserId,
    TeamFreezeOutcome Outcome,
    Guid StatementId,
    CommissionStatementStatus Status,
    decimal NetAmount,
    decimal CommissionTotal,
    int LineCount,
    DateTimeOffset FrozenAt,
    Guid FrozenBy)
{
    public static TeamFreezeRepResponse Of(CommissionStatement s, TeamFreezeOutcome outcome) =>
        new(s.UserId, outcome, s.Id, s.Status, s.NetAmount, s.CommissionTotal, s.LineCount, s.FrozenAt, s.FrozenBy);
}

internal sealed class FreezeTeamCommissionStatementsValidator : AbstractValidator<FreezeTeamCommissionStatementsRequest>
{
    public FreezeTeamCommissionStatementsValidator()
    {
        RuleFor(r => r.TeamId).NotEmpty();
        RuleFor(r => r.Period).NotEmpty().Must(p => p is null || CommissionPeriod.TryParse(p, out _)).WithMessage(CommissionPeriod.FormatMessage);
    }
}

internal sealed class FreezeTeamCommissionStatementsHandler(SalesDbContext db, ReportScopes scopes, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<FreezeTeamCommissionStatementsRequest, TeamFreezeResponse>
{
    public async Task<TeamFreezeResponse> Handle(FreezeTeamCommissionStatementsRequest request, CancellationToken cancellationToken)
    {
        CommissionPeriod.TryParse(request.Period, out var from);
        var teamId = request.TeamId!.Value;

        // The team filter of the reports: its current members and those of its sub-teams; a team the caller may not
        // report on is 404 like an unknown one.
        var scope = await scopes.ResolveAsync(teamId, cancellationToken);
        var now = time.UtcNow();
        FrozenStatementProblems.EnsureEnded(from, now);

        var members = scope.Members.Where(scope.Includes).Distinct().ToArray();
        var existing = await db.CommissionStatements.AsNoTracking()
            .Where(s => s.PeriodStart == from && members.Contains(s.UserId))
            .ToListAsync(cancellationToken);
        var skipped = existing.Select(s => s.UserId).ToHashSet();
        var frozen = await FrozenStatementWriter.FreezeAsync(
            db, members.Where(m => !skipped.Contains(m)).ToArray(), from, actor.Id!.Value, now,
            _ => new ConflictException(
                FrozenStatementProblems.AlreadyFrozenType, "Statement frozen meanwhile",
                $"A statement of team '{teamId}' for {CommissionPeriod.Format(from)} was frozen by another request meanwhile; repeat the call to freeze the others."),
            cancellationToken);

        var reps = frozen.Select(s => TeamFreezeRepResponse.Of(s, TeamFreezeOutcome.Frozen))
            .Concat(existing.Select(s => TeamFreezeRepResponse.Of(s, TeamFreezeOutcome.Skipped)))
            .OrderBy(r => r.UserId)
            .ToList();
        return new TeamFreezeResponse(teamId, CommissionPeriod.Format(from), from, from.AddMonths(1).AddDays(-1), frozen.Count, existing.Count, reps);
    }
}

internal static class FrozenStatementWriter
{
    /// <summary>
    /// Freezes the month of <paramref name="reps"/> (none of them frozen yet) in one <c>REPEATABLE READ</c> transaction:
    /// the totals of every rep from one grouped statement over the statement SQL, the headers and their
    /// <see cref="CommissionStatementFrozen"/> events through EF in one batch (so the audit interceptor records each), then
    /// all lines with one INSERT … SELECT of the same statement SQL. Totals and
    /// lines come from one snapshot, whatever is written meanwhile; a rep without lines gets an empty statement. A rep
    /// frozen concurrently trips the unique index and the whole call fails with <paramref name="conflict"/>.
    /// </summary>
    public static async Task<IReadOnlyList<CommissionStatement>> FreezeAsync(
        SalesDbContext db, Guid[] reps, DateOnly from, Guid frozenBy, DateTimeOffset now, Func<PostgresException, Exception> conflict, CancellationToken ct)
    {
        if (reps.Length == 0)
        {
            return [];
        }

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var lines = CommissionSql.Lines(seesAll: false, reps, null, from, from.AddMonths(1));
        var totals = await db.Database.SqlQuery<CommissionStatementTotals>(CommissionSql.Totals(lines)).ToDictionaryAsync(t => t.OwnerId!.Value, ct);
        var statements = reps
            .Select(rep => CommissionStatement.Freeze(rep, from, totals.GetValueOrDefault(rep) ?? CommissionStatementTotals.None(rep), frozenBy, now))
            .ToList();
        db.CommissionStatements.AddRange(statements);
        foreach (var statement in statements)
        {
            db.AddIntegrationEvent(new CommissionStatementFrozen(now)
            {
                StatementId = statement.Id, UserId = statement.UserId, Period = CommissionPeriod.Format(statement.PeriodStart),
                ReceivedAmount = statement.ReceivedAmount, ReversedAmount = statement.ReversedAmount, NetAmount = statement.NetAmount,
                CommissionTotal = statement.CommissionTotal, LineCount = statement.LineCount, FrozenBy = frozenBy,
            });
        }

        await db.SaveChangesOrConflictAsync(conflict, ct);
        await db.Database.ExecuteSqlAsync(CommissionSql.Freeze(lines, statements.Select(s => s.Id).ToArray()), ct);
        await transaction.CommitAsync(ct);
        return statements;
    }
}
