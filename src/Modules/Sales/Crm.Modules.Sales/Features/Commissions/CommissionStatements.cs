using System.Globalization;
using System.Runtime.CompilerServices;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Commissions;

/// <summary>Whether a statement line is money received or a reversal taking it back.</summary>
internal enum CommissionLineKind
{
    /// <summary>A receipt received in the period.</summary>
    Receipt,

    /// <summary>A receipt reversed in the period (the amount and commission are negative).</summary>
    Reversal,
}

/// <summary>The commission statement (佣金结算单) of a month: per rep, the receipts and reversals and the commission on them.</summary>
/// <param name="Period">The month, yyyy-MM.</param>
/// <param name="From">First day of the month.</param>
/// <param name="To">Last day of the month.</param>
/// <param name="Reps">One statement per rep with lines in the period, by rep id.</param>
internal sealed record CommissionStatementResponse(string Period, DateOnly From, DateOnly To, IReadOnlyList<CommissionRepStatementResponse> Reps)
{
    /// <summary>The currency of every total and commission: CNY (each line converted at its receipt's rate).</summary>
    public string Currency => CommissionLines.Currency;
}

/// <summary>One rep's commission for the period.</summary>
/// <param name="OwnerId">The rep: the contract owner when the money was received (null for receipts of ownerless contracts).</param>
/// <param name="OwnerName">The rep's name.</param>
/// <param name="ReceivedAmount">Sum of the receipts received in the period, in CNY.</param>
/// <param name="ReversedAmount">Sum of the receipts reversed in the period (positive), in CNY.</param>
/// <param name="NetAmount">Received less reversed, in CNY.</param>
/// <param name="CommissionTotal">Sum of the lines' commissions, in CNY.</param>
/// <param name="Lines">Receipts and reversals, by day.</param>
/// <param name="Status">computed (from the current rules, as read), frozen or approved (the stored copy, unaffected by later rule changes).</param>
/// <param name="FrozenAt">When it was frozen; null while computed.</param>
/// <param name="FrozenBy">Who froze it; null while computed.</param>
/// <param name="ApprovedAt">When it was approved; null unless approved.</param>
/// <param name="ApprovedBy">Who approved it; null unless approved.</param>
internal sealed record CommissionRepStatementResponse(
    Guid? OwnerId,
    string? OwnerName,
    decimal ReceivedAmount,
    decimal ReversedAmount,
    decimal NetAmount,
    decimal CommissionTotal,
    IReadOnlyList<CommissionLineResponse> Lines,
    CommissionStatementStatus Status = CommissionStatementStatus.Computed,
    DateTimeOffset? FrozenAt = null,
    Guid? FrozenBy = null,
    DateTimeOffset? ApprovedAt = null,
    Guid? ApprovedBy = null);

/// <summary>One receipt, or the reversal of one, with the rate applied.</summary>
/// <param name="ReceiptId">The receipt.</param>
/// <param name="Kind">receipt or reversal.</param>
/// <param name="Date">The day it counts in: received day for a receipt, reversal day for a reversal.</param>
/// <param name="ReceivedDate">The day the money was received (the rate is the one valid then, also for its reversal).</param>
/// <param name="ContractId">The contract.</param>
/// <param name="ContractNumber">Its number.</param>
/// <param name="CustomerId">The paying customer.</param>
/// <param name="ProductCategory">The contract's product category the rule matched on.</param>
/// <param name="Amount">Amount in the receipt's currency; negative for a reversal.</param>
/// <param name="Currency">The receipt's ISO 4217 currency.</param>
/// <param name="RuleId">The rule applied; null when no rule covers the receipt (no commission).</param>
/// <param name="RatePercent">The rate applied.</param>
/// <param name="Commission">CNY amount × rate, rounded to the fen half away from zero; negative for a reversal.</param>
/// <param name="CnyRate">CNY per 1 unit of the currency: the rate effective on the received date, fixed on the receipt when it was recorded (also for its reversal).</param>
/// <param name="CnyAmount">Amount × CNY rate, rounded to the fen half away from zero: what the receipt took off the customer's balance; negative for a reversal.</param>
internal sealed record CommissionLineResponse(
    Guid ReceiptId,
    CommissionLineKind Kind,
    DateOnly Date,
    DateOnly ReceivedDate,
    Guid ContractId,
    string ContractNumber,
    Guid CustomerId,
    string? ProductCategory,
    decimal Amount,
    string Currency,
    Guid? RuleId,
    decimal? RatePercent,
    decimal Commission,
    decimal CnyRate,
    decimal CnyAmount);

/// <summary>The statement of a month for the reps the caller may see.</summary>
/// <param name="Period">The month, yyyy-MM (required).</param>
/// <param name="OwnerId">Only this rep.</param>
internal sealed record GetCommissionStatementRequest(string? Period, Guid? OwnerId) : IRequest<CommissionStatementResponse>;

internal sealed class GetCommissionStatementValidator : AbstractValidator<GetCommissionStatementRequest>
{
    public GetCommissionStatementValidator() =>
        RuleFor(r => r.Period).NotEmpty()
            .Must(p => p is null || CommissionPeriod.TryParse(p, out _)).WithMessage(CommissionPeriod.FormatMessage);
}

internal static class CommissionPeriod
{
    public const string FormatMessage = "period must be a month as yyyy-MM, e.g. 2026-11.";

    public static bool TryParse(string? value, out DateOnly firstDay) =>
        DateOnly.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out firstDay);

    public static string Format(DateOnly firstDay) => firstDay.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

/// <summary>One line as the statement SQL returns it (snake_case aliases map to the properties).</summary>
internal sealed record CommissionLineRow(
    Guid ReceiptId,
    string Kind,
    Guid? OwnerId,
    DateOnly BookedDate,
    DateOnly ReceivedDate,
    Guid ContractId,
    string ContractNumber,
    Guid CustomerId,
    string? ProductCategory,
    decimal Amount,
    string Currency,
    Guid? RuleId,
    decimal? RatePercent,
    decimal Commission,
    decimal CnyRate,
    decimal CnyAmount);

internal static class CommissionLines
{
    /// <summary>The currency of statement totals and commissions (ADR 0034).</summary>
    public const string Currency = "CNY";

    /// <summary>A stored line of a frozen statement as the statement SQL would return it, its rep being the statement's.</summary>
    public static CommissionLineRow FromFrozen(CommissionStatementLine l, Guid ownerId) =>
        new(l.ReceiptId, l.Kind, ownerId, l.BookedDate, l.ReceivedDate, l.ContractId, l.ContractNumber, l.CustomerId, l.ProductCategory, l.Amount, l.Currency,
            l.RuleId, l.RatePercent, l.Commission, l.CnyRate, l.CnyAmount);

    /// <summary>The stored lines of frozen statements, in statement order (day, receipt, kind).</summary>
    public static IQueryable<CommissionStatementLine> Of(SalesDbContext db, IReadOnlyCollection<Guid> statementIds) =>
        db.CommissionStatementLines.AsNoTracking().Where(l => statementIds.Contains(l.StatementId))
            .OrderBy(l => l.BookedDate).ThenBy(l => l.ReceiptId).ThenBy(l => l.Kind);

    public static CommissionLineResponse ToResponse(CommissionLineRow r) =>
        new(r.ReceiptId, r.Kind == "reversal" ? CommissionLineKind.Reversal : CommissionLineKind.Receipt, r.BookedDate, r.ReceivedDate, r.ContractId,
            r.ContractNumber, r.CustomerId, r.ProductCategory, r.Amount, r.Currency, r.RuleId, r.RatePercent, r.Commission, r.CnyRate, r.CnyAmount);
}

internal sealed class GetCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users)
    : IRequestHandler<GetCommissionStatementRequest, CommissionStatementResponse>
{
    public async Task<CommissionStatementResponse> Handle(GetCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        CommissionPeriod.TryParse(request.Period!, out var from);
        var to = from.AddMonths(1);
        var scope = await access.GetAsync(cancellationToken);
        var rows = await db.Database.SqlQuery<CommissionLineRow>(CommissionSql.Lines(scope, request.OwnerId, from, to)).ToListAsync(cancellationToken);

        // Frozen reps answer with their stored copy: the computed lines of those reps are replaced, not merged.
        var frozen = await db.CommissionStatements.AsNoTracking()
            .Where(s => s.PeriodStart == from && (request.OwnerId == null || s.UserId == request.OwnerId))
            .Where(scope.Filter<CommissionStatement>(s => s.UserId))
            .ToDictionaryAsync(s => s.UserId, cancellationToken);
        var frozenIds = frozen.Values.Select(s => s.Id).ToList();
        var frozenLines = frozenIds.Count == 0 ? [] : await CommissionLines.Of(db, frozenIds).ToListAsync(cancellationToken);
        var byStatement = frozen.Values.ToDictionary(s => s.Id, s => s.UserId);
        var all = rows.Where(r => r.OwnerId is not { } owner || !frozen.ContainsKey(owner))
            .Concat(frozenLines.Select(l => CommissionLines.FromFrozen(l, byStatement[l.StatementId])))
            .ToList();

        var ownerIds = all.Where(r => r.OwnerId is not null).Select(r => r.OwnerId!.Value).Concat(frozen.Keys).Distinct().ToList();
        IReadOnlyDictionary<Guid, UserSummary> names = ownerIds.Count == 0 ? new Dictionary<Guid, UserSummary>() : await users.FindByIdsAsync(ownerIds, cancellationToken);
        var groups = all.GroupBy(r => r.OwnerId).ToDictionary(g => g.Key ?? Guid.Empty, g => g.Select(CommissionLines.ToResponse).ToList());
        var keys = all.Select(r => r.OwnerId).Concat(frozen.Keys.Select(k => (Guid?)k)).Distinct().OrderBy(k => k is null).ThenBy(k => k);
        var reps = keys.Select(key =>
        {
            var lines = groups.GetValueOrDefault(key ?? Guid.Empty) ?? [];
            var name = key is { } id && names.TryGetValue(id, out var user) ? user.Name : null;
            if (key is { } rep && frozen.TryGetValue(rep, out var s))
            {
                return new CommissionRepStatementResponse(
                    rep, name, s.ReceivedAmount, s.ReversedAmount, s.NetAmount, s.CommissionTotal, lines, s.Status, s.FrozenAt, s.FrozenBy, s.ApprovedAt, s.ApprovedBy);
            }

            var received = lines.Where(l => l.Kind == CommissionLineKind.Receipt).Sum(l => l.CnyAmount);
            var reversed = -lines.Where(l => l.Kind == CommissionLineKind.Reversal).Sum(l => l.CnyAmount);
            return new CommissionRepStatementResponse(key, name, received, reversed, received - reversed, lines.Sum(l => l.Commission), lines);
        }).ToList();

        return new CommissionStatementResponse(CommissionPeriod.Format(from), from, to.AddDays(-1), reps);
    }
}

internal static class CommissionSql
{
    /// <summary>
    /// One statement: the visible receipts received in [from, to) and those reversed in it (negative), each joined to its
    /// contract's product category and, laterally, to the one rule that applies on the received day: the most specific
    /// (rep and category, rep, category, default), then the latest start (an open start is the earliest), then the newest.
    /// A reversal uses the received day too, so it takes back exactly the commission the receipt earned. Each line is
    /// converted to CNY at the rate stored on its receipt (the one effective on the received day, ADR 0032), so the
    /// commission is rate × CNY amount and a reversal takes back exactly the CNY amount and commission of its receipt.
    /// </summary>
    public static FormattableString Lines(AccessScope scope, Guid? ownerId, DateOnly from, DateOnly to) =>
        Lines(scope.SeesAll, scope.VisibleOwners.Where(o => o.HasValue).Select(o => o!.Value).ToArray(), ownerId, from, to);

    /// <summary>The statement lines of <paramref name="owners"/> (all when <paramref name="seesAll"/>), optionally one owner.</summary>
    public static FormattableString Lines(bool seesAll, Guid[] owners, Guid? ownerId, DateOnly from, DateOnly to) =>
        $"""
            WITH lines AS (
                SELECT r.id, 'receipt' AS kind, r.owner_id, r.received_date AS booked_date, r.received_date, r.contract_id, r.amount, r.currency,
                       r.cny_rate, round(r.amount * r.cny_rate, 2) AS cny_amount
                FROM sales.payment_receipts r
                WHERE r.received_date >= {from} AND r.received_date < {to}
                  AND ({seesAll} OR r.owner_id = ANY({owners}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR r.owner_id = {ownerId}::uuid)
                UNION ALL
                SELECT r.id, 'reversal', r.owner_id, r.reversed_date, r.received_date, r.contract_id, -r.amount, r.currency,
                       r.cny_rate, -round(r.amount * r.cny_rate, 2)
                FROM sales.payment_receipts r
                WHERE r.reversed_date >= {from} AND r.reversed_date < {to}
                  AND ({seesAll} OR r.owner_id = ANY({owners}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR r.owner_id = {ownerId}::uuid)
            )
            SELECT l.id AS receipt_id, l.kind, l.owner_id, l.booked_date, l.received_date, l.contract_id, c.number AS contract_number,
                   c.customer_id, c.product_category, l.amount, l.currency, rule.id AS rule_id, rule.rate_percent,
                   coalesce(round(l.cny_amount * rule.rate_percent / 100, 2), 0) AS commission, l.cny_rate, l.cny_amount
            FROM lines l
            JOIN sales.contracts c ON c.id = l.contract_id
            LEFT JOIN LATERAL (
                SELECT cr.id, cr.rate_percent
                FROM sales.commission_rules cr
                WHERE (cr.rep_id IS NULL OR cr.rep_id = l.owner_id)
                  AND (cr.product_category IS NULL OR cr.product_category = c.product_category)
                  AND (cr.valid_from IS NULL OR cr.valid_from <= l.received_date)
                  AND (cr.valid_to IS NULL OR cr.valid_to >= l.received_date)
                ORDER BY (cr.rep_id IS NOT NULL) DESC, (cr.product_category IS NOT NULL) DESC,
                         cr.valid_from DESC NULLS LAST, cr.created_at DESC, cr.id DESC
                LIMIT 1
            ) rule ON true
            ORDER BY l.owner_id NULLS LAST, l.booked_date, l.id, l.kind
            """;

    /// <summary>The totals of <paramref name="lines"/>, one row per rep that has lines.</summary>
    public static FormattableString Totals(FormattableString lines) => Around(
        """
        SELECT l.owner_id,
               coalesce(sum(l.cny_amount) FILTER (WHERE l.kind = 'receipt'), 0) AS received_amount,
               coalesce(-sum(l.cny_amount) FILTER (WHERE l.kind = 'reversal'), 0) AS reversed_amount,
               coalesce(sum(l.commission), 0) AS commission_total,
               count(*)::int AS line_count
        FROM (
        """,
        lines,
        ") l GROUP BY l.owner_id");

    /// <summary>
    /// Stores <paramref name="lines"/> as the lines of the frozen statements <paramref name="statementIds"/> (each line
    /// goes to the statement of its rep): one INSERT … SELECT of the very statement SQL.
    /// </summary>
    public static FormattableString Freeze(FormattableString lines, Guid[] statementIds) => Around(
        """
        INSERT INTO sales.commission_statement_lines (statement_id, receipt_id, kind, booked_date, received_date, contract_id, contract_number,
                                                      customer_id, product_category, amount, currency, rule_id, rate_percent, commission,
                                                      cny_rate, cny_amount)
        SELECT s.id, l.receipt_id, l.kind, l.booked_date, l.received_date, l.contract_id, l.contract_number,
               l.customer_id, l.product_category, l.amount, l.currency, l.rule_id, l.rate_percent, l.commission, l.cny_rate, l.cny_amount
        FROM (
        """,
        lines,
        ") l JOIN sales.commission_statements s ON s.user_id = l.owner_id AND s.id = ANY({statementIds}::uuid[])",
        statementIds);

    /// <summary>Wraps a parameterised query in SQL text; <c>{statementIds}</c> in <paramref name="suffix"/> becomes a parameter holding <paramref name="extra"/>.</summary>
    private static FormattableString Around(string prefix, FormattableString inner, string suffix, object? extra = null)
    {
        var placeholder = "{" + inner.ArgumentCount.ToString(CultureInfo.InvariantCulture) + "}";
        var arguments = inner.GetArguments().Append(extra).ToArray();
        return FormattableStringFactory.Create(prefix + "\n" + inner.Format + "\n" + suffix.Replace("{statementIds}", placeholder, StringComparison.Ordinal), arguments);
    }
}
