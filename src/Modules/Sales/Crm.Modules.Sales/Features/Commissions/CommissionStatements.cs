using System.Globalization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
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
internal sealed record CommissionStatementResponse(string Period, DateOnly From, DateOnly To, IReadOnlyList<CommissionRepStatementResponse> Reps);

/// <summary>One rep's commission for the period.</summary>
/// <param name="OwnerId">The rep: the contract owner when the money was received (null for receipts of ownerless contracts).</param>
/// <param name="OwnerName">The rep's name.</param>
/// <param name="ReceivedAmount">Sum of the receipts received in the period.</param>
/// <param name="ReversedAmount">Sum of the receipts reversed in the period (positive).</param>
/// <param name="NetAmount">Received less reversed.</param>
/// <param name="CommissionTotal">Sum of the lines' commissions.</param>
/// <param name="Lines">Receipts and reversals, by day.</param>
internal sealed record CommissionRepStatementResponse(
    Guid? OwnerId,
    string? OwnerName,
    decimal ReceivedAmount,
    decimal ReversedAmount,
    decimal NetAmount,
    decimal CommissionTotal,
    IReadOnlyList<CommissionLineResponse> Lines);

/// <summary>One receipt, or the reversal of one, with the rate applied.</summary>
/// <param name="ReceiptId">The receipt.</param>
/// <param name="Kind">receipt or reversal.</param>
/// <param name="Date">The day it counts in: received day for a receipt, reversal day for a reversal.</param>
/// <param name="ReceivedDate">The day the money was received (the rate is the one valid then, also for its reversal).</param>
/// <param name="ContractId">The contract.</param>
/// <param name="ContractNumber">Its number.</param>
/// <param name="CustomerId">The paying customer.</param>
/// <param name="ProductCategory">The contract's product category the rule matched on.</param>
/// <param name="Amount">Amount; negative for a reversal.</param>
/// <param name="Currency">ISO 4217 currency.</param>
/// <param name="RuleId">The rule applied; null when no rule covers the receipt (no commission).</param>
/// <param name="RatePercent">The rate applied.</param>
/// <param name="Commission">Amount × rate, rounded to cents half away from zero; negative for a reversal.</param>
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
    decimal Commission);

/// <summary>The statement of a month for the reps the caller may see.</summary>
/// <param name="Period">The month, yyyy-MM (required).</param>
/// <param name="OwnerId">Only this rep.</param>
internal sealed record GetCommissionStatementRequest(string? Period, Guid? OwnerId) : IRequest<CommissionStatementResponse>;

internal sealed class GetCommissionStatementValidator : AbstractValidator<GetCommissionStatementRequest>
{
    public GetCommissionStatementValidator() =>
        RuleFor(r => r.Period).NotEmpty()
            .Must(p => p is null || CommissionPeriod.TryParse(p, out _)).WithMessage("period must be a month as yyyy-MM, e.g. 2026-11.");
}

internal static class CommissionPeriod
{
    public static bool TryParse(string value, out DateOnly firstDay) =>
        DateOnly.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out firstDay);
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
    decimal Commission);

internal sealed class GetCommissionStatementHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users)
    : IRequestHandler<GetCommissionStatementRequest, CommissionStatementResponse>
{
    public async Task<CommissionStatementResponse> Handle(GetCommissionStatementRequest request, CancellationToken cancellationToken)
    {
        CommissionPeriod.TryParse(request.Period!, out var from);
        var to = from.AddMonths(1);
        var scope = await access.GetAsync(cancellationToken);
        var rows = await db.Database.SqlQuery<CommissionLineRow>(CommissionSql.Lines(scope, request.OwnerId, from, to)).ToListAsync(cancellationToken);

        var ownerIds = rows.Where(r => r.OwnerId is not null).Select(r => r.OwnerId!.Value).Distinct().ToList();
        IReadOnlyDictionary<Guid, UserSummary> names = ownerIds.Count == 0 ? new Dictionary<Guid, UserSummary>() : await users.FindByIdsAsync(ownerIds, cancellationToken);
        var reps = rows.GroupBy(r => r.OwnerId).Select(g =>
        {
            var lines = g.Select(r => new CommissionLineResponse(
                r.ReceiptId, r.Kind == "reversal" ? CommissionLineKind.Reversal : CommissionLineKind.Receipt, r.BookedDate, r.ReceivedDate, r.ContractId,
                r.ContractNumber, r.CustomerId, r.ProductCategory, r.Amount, r.Currency, r.RuleId, r.RatePercent, r.Commission)).ToList();
            var received = lines.Where(l => l.Kind == CommissionLineKind.Receipt).Sum(l => l.Amount);
            var reversed = -lines.Where(l => l.Kind == CommissionLineKind.Reversal).Sum(l => l.Amount);
            var name = g.Key is { } id && names.TryGetValue(id, out var user) ? user.Name : null;
            return new CommissionRepStatementResponse(g.Key, name, received, reversed, received - reversed, lines.Sum(l => l.Commission), lines);
        }).ToList();

        return new CommissionStatementResponse(from.ToString("yyyy-MM", CultureInfo.InvariantCulture), from, to.AddDays(-1), reps);
    }
}

internal static class CommissionSql
{
    /// <summary>
    /// One statement: the visible receipts received in [from, to) and those reversed in it (negative), each joined to its
    /// contract's product category and, laterally, to the one rule that applies on the received day: the most specific
    /// (rep and category, rep, category, default), then the latest start (an open start is the earliest), then the newest.
    /// A reversal uses the received day too, so it takes back exactly the commission the receipt earned.
    /// </summary>
    public static FormattableString Lines(AccessScope scope, Guid? ownerId, DateOnly from, DateOnly to)
    {
        var seesAll = scope.SeesAll;
        var owners = scope.VisibleOwners.Where(o => o.HasValue).Select(o => o!.Value).ToArray();
        return $"""
            WITH lines AS (
                SELECT r.id, 'receipt' AS kind, r.owner_id, r.received_date AS booked_date, r.received_date, r.contract_id, r.amount, r.currency
                FROM sales.payment_receipts r
                WHERE r.received_date >= {from} AND r.received_date < {to}
                  AND ({seesAll} OR r.owner_id = ANY({owners}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR r.owner_id = {ownerId}::uuid)
                UNION ALL
                SELECT r.id, 'reversal', r.owner_id, r.reversed_date, r.received_date, r.contract_id, -r.amount, r.currency
                FROM sales.payment_receipts r
                WHERE r.reversed_date >= {from} AND r.reversed_date < {to}
                  AND ({seesAll} OR r.owner_id = ANY({owners}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR r.owner_id = {ownerId}::uuid)
            )
            SELECT l.id AS receipt_id, l.kind, l.owner_id, l.booked_date, l.received_date, l.contract_id, c.number AS contract_number,
                   c.customer_id, c.product_category, l.amount, l.currency, rule.id AS rule_id, rule.rate_percent,
                   coalesce(round(l.amount * rule.rate_percent / 100, 2), 0) AS commission
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
    }
}
