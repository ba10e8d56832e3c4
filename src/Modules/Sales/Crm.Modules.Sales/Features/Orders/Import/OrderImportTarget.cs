using System.Security.Claims;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Sales.Features.Orders.Import.OrderImportSchema;

namespace Crm.Modules.Sales.Features.Orders.Import;

/// <summary>
/// Orders for the import pipeline (<c>POST /api/v1/imports/orders</c>), one row per line, matched on the order's
/// external id. The pipeline assembles an order's rows wherever they are in the file and hands them all to one chunk
/// (<see cref="GroupField"/>). Per chunk, in one transaction: customers, owners and products are resolved by a few set
/// queries, the matching orders and their lines are read and locked by two, each order is checked as a whole (its rows
/// must agree on the order columns), new and changed drafts are priced as the API prices them, orders to confirm pass
/// the credit check against the customer's figures with running totals (one advisory-lock statement and one sum for all
/// their customers), then orders and lines are COPYed and written by a few statements, and <see cref="OrderPlaced"/>
/// goes to the outbox by one binary COPY. A confirmed (or later) order is never rewritten: the same content is
/// unchanged, different content is a row error.
/// </summary>
internal sealed class OrderImportTarget(
    SalesDbContext db,
    IAccessScopeProvider access,
    IUserDirectory users,
    ICustomerDirectory customers,
    PriceResolver prices,
    IAuthorizationService authorization,
    ICurrentActor actor,
    TimeProvider time) : IImportTarget
{
    private const string OrdersTable = "sales.orders";
    private const string LinesTable = "sales.order_lines";
    private const string OverrideCreditOption = "overrideCredit";
    private const string OverrideReasonOption = "overrideReason";
    private static readonly QuoteLineValidator LineValidator = new();

    private static readonly Dictionary<string, string> LineColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["productId"] = S.Sku, ["quantity"] = S.Quantity, ["unitPrice"] = S.UnitPrice, ["discountPercent"] = S.Discount, ["taxRatePercent"] = S.TaxRate,
    };

    private static readonly Dictionary<string, OrderStatus> StatusAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["草稿"] = OrderStatus.Draft, ["已确认"] = OrderStatus.Confirmed, ["确认"] = OrderStatus.Confirmed, ["已发货"] = OrderStatus.Shipped,
        ["已完成"] = OrderStatus.Completed, ["已取消"] = OrderStatus.Cancelled,
    };

    private static readonly StagedColumn<Order>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, o => o.Id, false),
        new("number", NpgsqlDbType.Varchar, o => o.Number, false),
        new("external_id", NpgsqlDbType.Varchar, o => o.ExternalId, false),
        new("customer_id", NpgsqlDbType.Uuid, o => o.CustomerId, false),
        new("owner_id", NpgsqlDbType.Uuid, o => o.OwnerId, false),
        new("currency", NpgsqlDbType.Varchar, o => o.Currency),
        new("status", NpgsqlDbType.Varchar, o => o.Status.ToString()),
        new("priced_on", NpgsqlDbType.Date, o => o.PricedOn),
        new("subtotal", NpgsqlDbType.Numeric, o => o.Subtotal),
        new("discount_total", NpgsqlDbType.Numeric, o => o.DiscountTotal),
        new("tax_total", NpgsqlDbType.Numeric, o => o.TaxTotal),
        new("total", NpgsqlDbType.Numeric, o => o.Total),
        new("confirmed_at", NpgsqlDbType.TimestampTz, o => o.ConfirmedAt),
        new("credit_override_by", NpgsqlDbType.Uuid, o => o.CreditOverrideBy),
        new("credit_override_at", NpgsqlDbType.TimestampTz, o => o.CreditOverrideAt),
        new("credit_override_reason", NpgsqlDbType.Varchar, o => o.CreditOverrideReason),
        new("created_at", NpgsqlDbType.TimestampTz, o => o.CreatedAt, false),
        new("updated_at", NpgsqlDbType.TimestampTz, o => o.UpdatedAt),
    ];

    private static readonly StagedColumn<OrderLine>[] LineColumnsStaged =
    [
        new("id", NpgsqlDbType.Uuid, l => l.Id),
        new("order_id", NpgsqlDbType.Uuid, l => l.OrderId),
        new("position", NpgsqlDbType.Integer, l => l.Position),
        new("product_id", NpgsqlDbType.Uuid, l => l.ProductId),
        new("sku", NpgsqlDbType.Varchar, l => l.Sku),
        new("product_name", NpgsqlDbType.Varchar, l => l.ProductName),
        new("unit", NpgsqlDbType.Varchar, l => l.Unit),
        new("description", NpgsqlDbType.Varchar, l => l.Description),
        new("quantity", NpgsqlDbType.Numeric, l => l.Quantity),
        new("reference_unit_price", NpgsqlDbType.Numeric, l => l.ReferenceUnitPrice),
        new("price_source", NpgsqlDbType.Varchar, l => l.PriceSource.ToString()),
        new("price_book_id", NpgsqlDbType.Uuid, l => l.PriceBookId),
        new("unit_price", NpgsqlDbType.Numeric, l => l.UnitPrice),
        new("discount_percent", NpgsqlDbType.Numeric, l => l.DiscountPercent),
        new("tax_rate_percent", NpgsqlDbType.Numeric, l => l.TaxRatePercent),
        new("gross_amount", NpgsqlDbType.Numeric, l => l.GrossAmount),
        new("discount_amount", NpgsqlDbType.Numeric, l => l.DiscountAmount),
        new("net_amount", NpgsqlDbType.Numeric, l => l.NetAmount),
        new("tax_amount", NpgsqlDbType.Numeric, l => l.TaxAmount),
        new("line_total", NpgsqlDbType.Numeric, l => l.LineTotal),
    ];

    public string Entity => "orders";

    public ImportSchema Schema => S.Schema;

    public string? RequiredPermission => Permissions.SalesWrite;

    public string? GroupField => S.ExternalId;

    public IReadOnlyList<string> Options => [OverrideCreditOption, OverrideReasonOption];

    /// <summary>
    /// <c>overrideCredit=true&amp;overrideReason=</c>: only a sales manager (sales:manage, else 403 as on <c>POST /orders/{id}/confirm</c>)
    /// with a reason of 1 to 500 characters (else 400). Checked once when the import is submitted; the job keeps the result.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ValidateOptionsAsync(
        IReadOnlyDictionary<string, string> options, ClaimsPrincipal caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var flag = options.GetValueOrDefault(OverrideCreditOption)?.Trim();
        if (string.IsNullOrEmpty(flag) || (bool.TryParse(flag, out var requested) && !requested))
        {
            return new Dictionary<string, string>();
        }

        if (!requested)
        {
            throw ValidationFailedException.For(OverrideCreditOption, "overrideCredit must be true or false.");
        }

        ct.ThrowIfCancellationRequested();
        if (!(await authorization.AuthorizeAsync(caller, PermissionAuthorization.PolicyPrefix + Permissions.SalesManage)).Succeeded)
        {
            throw OrderProblems.OverrideForbidden();
        }

        var reason = options.GetValueOrDefault(OverrideReasonOption)?.Trim() ?? string.Empty;
        return reason.Length is > 0 and <= Order.MaxReasonLength
            ? new Dictionary<string, string> { [OverrideCreditOption] = "true", [OverrideReasonOption] = reason }
            : throw ValidationFailedException.For(OverrideReasonOption, $"overrideCredit needs overrideReason, 1 to {Order.MaxReasonLength} characters.");
    }

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var today = QuoteRules.Today(time);
        var errors = new List<ImportRowError>();
        var groups = OrderGroup.From(chunk.Rows.Select(r => new LineRow(r, errors)));
        var lookups = await LookupsAsync(groups, scope, ct);
        var overrideReason = settings.Option(OverrideReasonOption);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var existing = await FindExistingAsync(groups, ct);
        await lookups.AddCustomersAsync(customers, existing.Values.Select(e => e.Order.CustomerId), ct);

        var plans = new List<Plan>();
        var unchanged = 0;
        foreach (var group in groups.Where(g => !g.Failed))
        {
            var current = existing.GetValueOrDefault(group.ExternalId);
            var plan = current is null ? PlanCreate(group, settings, scope, lookups) : PlanUpdate(group, current, settings, scope, lookups);
            if (plan is null)
            {
                continue;
            }

            if (plan.Kind == PlanKind.Unchanged)
            {
                unchanged += group.Rows.Count;
                continue;
            }

            plans.Add(plan);
        }

        await PriceAsync(plans.Where(p => p.Lines is not null).ToList(), lookups, ct);
        var numbers = settings.DryRun ? [] : await OrderWriter.NextNumbersAsync(db, today, plans.Count(p => p.Kind == PlanKind.Create && !p.Group.Failed), ct);
        var numbered = 0;
        foreach (var plan in plans.Where(p => !p.Group.Failed))
        {
            plan.Build(plan.Kind == PlanKind.Create && !settings.DryRun ? numbers[numbered++] : "SO-dry-run", now);
        }

        await CheckCreditAsync(plans.Where(p => p.Order is not null && p.Confirm).ToList(), lookups, overrideReason, now, ct);
        foreach (var group in groups)
        {
            group.RejectRest();
        }

        var written = plans.Where(p => !p.Group.Failed && p.Order is not null).ToList();
        if (!settings.DryRun && written.Count > 0)
        {
            var lost = await WriteAsync(connection, written, ct);
            foreach (var plan in written.Where(p => lost.Contains(p.Order!.Id)))
            {
                plan.Group.Reject(S.ExternalId, $"Order '{plan.Group.ExternalId}' was created by another import or request at the same time; "
                    + "run the file again to compare this order with it.");
                plan.Group.RejectRest();
            }

            written = written.Where(p => !lost.Contains(p.Order!.Id)).ToList();
            var placed = written.Where(p => p.Confirm).Select(p => p.Order!).ToList();
            await OutboxBulkWriter.CopyAsync(connection, SalesDbContext.SchemaName, placed.Select(o => Placed(o, now)), ct);
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Created, written.Where(p => p.Kind == PlanKind.Create).Select(p => p.Order!), o => o.OwnerId, ct);
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Updated, written.Where(p => p.Kind == PlanKind.Update).Select(p => p.Order!), o => o.OwnerId, ct);
            await AuditOverridesAsync(placed.Where(o => o.CreditOverrideAt is not null).ToList(), ct);
        }

        var created = written.Where(p => p.Kind == PlanKind.Create).ToList();
        var updated = written.Where(p => p.Kind == PlanKind.Update).ToList();
        var result = new ImportChunkResult(created.Sum(p => p.Group.Rows.Count), updated.Sum(p => p.Group.Rows.Count), unchanged, errors);
        return await SalesImportChunk.FinishAsync(db, transaction, settings, result, beforeCommit, ct);
    }

    private static OrderPlaced Placed(Order order, DateTimeOffset now) => new(now)
    {
        OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, QuoteId = order.QuoteId,
        Amount = order.Total, Currency = order.Currency, CreditOverridden = order.CreditOverrideAt is not null,
    };

    private static Plan? PlanCreate(OrderGroup group, ImportSettings settings, AccessScope scope, Lookups lookups)
    {
        if (settings.Mode == ImportMode.Update)
        {
            return group.Reject(S.ExternalId, $"No order has externalId '{group.ExternalId}'.");
        }

        var customer = lookups.Customer(group);
        if (customer is null && !group.NamesCustomer)
        {
            return group.Reject(S.CustomerCode, "customerCode or customerExternalId is required for a new order.");
        }

        if (customer is null || !scope.CanSee(customer.OwnerId, includeUnowned: true))
        {
            return group.Reject(group.CustomerColumn, $"No customer '{group.Value(group.CustomerColumn)}' that you can see.");
        }

        if (customer.Status is "archived" or "blacklisted")
        {
            return group.Reject(group.CustomerColumn, $"Customer {customer.Code} is {customer.Status}: no new orders.");
        }

        var status = group.Status ?? OrderStatus.Draft;
        if (status is not (OrderStatus.Draft or OrderStatus.Confirmed))
        {
            return group.Reject(S.Status, "A new order is imported as draft or confirmed; shipping, completing and cancelling go through the order's actions.");
        }

        var owner = Owner(group, scope, lookups);
        var lines = Lines(group, lookups);
        if (group.Failed)
        {
            return null;
        }

        return new Plan(group, PlanKind.Create, null, customer, owner?.Id ?? customer.OwnerId ?? lookups.Caller?.Id,
            group.Currency ?? Order.DefaultCurrency, group.OrderDate ?? lookups.Today, lines, status == OrderStatus.Confirmed);
    }

    /// <summary>The owner the row names (someone the caller may hand work to), or null to default to the customer's owner, else the caller.</summary>
    private static UserSummary? Owner(OrderGroup group, AccessScope scope, Lookups lookups)
    {
        if (group.Value(S.OwnerEmail) is not { } email)
        {
            return null;
        }

        var owner = SalesImportReferences.AssignableOwner(email, scope, lookups.Owners, out var problem);
        if (problem is not null)
        {
            group.Reject(S.OwnerEmail, problem);
        }

        return owner;
    }

    private static Plan? PlanUpdate(OrderGroup group, Existing current, ImportSettings settings, AccessScope scope, Lookups lookups)
    {
        var order = current.Order;
        if (settings.Mode == ImportMode.Create)
        {
            return group.Reject(S.ExternalId, $"An order with externalId '{group.ExternalId}' already exists ({order.Number}).");
        }

        if (!scope.CanSee(order.OwnerId))
        {
            return group.Reject(S.ExternalId, $"No order you may change has externalId '{group.ExternalId}'.");
        }

        if (group.NamesCustomer && lookups.Customer(group)?.Id != order.CustomerId)
        {
            return group.Reject(group.CustomerColumn, $"Order {order.Number} is with another customer: an order stays with its customer.");
        }

        if (group.Value(S.OwnerEmail) is { } email && (!lookups.Owners.TryGetValue(email, out var owner) || owner.Id != order.OwnerId))
        {
            return group.Reject(S.OwnerEmail, $"ownerEmail differs from the owner of order {order.Number}; an import does not move orders between owners.");
        }

        var lines = Lines(group, lookups);
        if (group.Failed)
        {
            return null;
        }

        var status = group.Status ?? order.Status;
        var currency = group.Currency ?? order.Currency;
        var orderDate = group.OrderDate ?? order.PricedOn;
        var difference = currency != order.Currency ? (S.Currency, order.Currency, currency)
            : orderDate != order.PricedOn ? (S.OrderDate, Text(order.PricedOn), Text(orderDate))
            : LineDifference(group, current.Lines);
        if (difference is null && status == order.Status)
        {
            return new Plan(group, PlanKind.Unchanged, current, null, order.OwnerId, currency, orderDate, null, false);
        }

        if (!order.IsDraft)
        {
            var (column, recorded, file) = difference ?? (S.Status, QuoteProblems.Name(order.Status), QuoteProblems.Name(status));
            return group.Reject(column, $"Order {order.Number} is {QuoteProblems.Name(order.Status)} and an import never rewrites it: {column} is '{recorded}' "
                + $"on the order and '{file}' in the file. Change it through the order's actions, or import it under a new externalId.");
        }

        if (status is not (OrderStatus.Draft or OrderStatus.Confirmed))
        {
            return group.Reject(S.Status, "An import keeps an order a draft or confirms it; shipping, completing and cancelling go through the order's actions.");
        }

        return new Plan(group, PlanKind.Update, current, null, order.OwnerId, currency, orderDate, difference is null ? null : lines, status == OrderStatus.Confirmed);
    }

    /// <summary>The first difference between the group's lines and the recorded ones (column, recorded, file), or null; blank optional cells match.</summary>
    private static (string Column, string Recorded, string File)? LineDifference(OrderGroup group, List<OrderLine> recorded)
    {
        if (recorded.Count != group.Rows.Count)
        {
            return (S.Sku, $"{recorded.Count} lines", $"{group.Rows.Count} lines");
        }

        foreach (var (row, line) in group.Rows.Zip(recorded))
        {
            var difference = !string.Equals(row.Sku, line.Sku, StringComparison.OrdinalIgnoreCase) ? (S.Sku, line.Sku, row.Sku ?? string.Empty)
                : row.Quantity != line.Quantity ? (S.Quantity, Text(line.Quantity), Text(row.Quantity ?? 0m))
                : row.UnitPrice is { } price && price != line.UnitPrice ? (S.UnitPrice, Text(line.UnitPrice), Text(price))
                : (row.Discount ?? 0m) != line.DiscountPercent ? (S.Discount, Text(line.DiscountPercent), Text(row.Discount ?? 0m))
                : row.TaxRate is { } tax && tax != line.TaxRatePercent ? (S.TaxRate, Text(line.TaxRatePercent), Text(tax))
                : ((string, string, string)?)null;
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    /// <summary>The group's lines checked as the API checks a line (the product by SKU, active, the line validator).</summary>
    private static List<(LineRow Row, Product Product)> Lines(OrderGroup group, Lookups lookups)
    {
        if (group.Rows.Count > Order.MaxLines)
        {
            group.Reject(S.Sku, $"An order has 1 to {Order.MaxLines} lines; order '{group.ExternalId}' has {group.Rows.Count} rows.");
            return [];
        }

        var lines = new List<(LineRow, Product)>(group.Rows.Count);
        foreach (var row in group.Rows)
        {
            if (row.Sku is not { } sku)
            {
                row.Error(S.Sku, "sku is required on every row (one row per order line).");
                continue;
            }

            if (!lookups.Products.TryGetValue(sku, out var product))
            {
                row.Error(S.Sku, $"There is no product with SKU '{sku}'.");
                continue;
            }

            var request = new QuoteLineRequest(product.Id, row.Quantity, row.UnitPrice, row.Discount, row.TaxRate);
            foreach (var failure in LineValidator.Validate(request).Errors)
            {
                row.Error(LineColumns.GetValueOrDefault(ImportValues.ColumnOf(failure.PropertyName), S.Quantity), failure.ErrorMessage);
            }

            lines.Add((row, product));
        }

        return lines;
    }

    /// <summary>
    /// Prices new and changed orders as the API does (the customer's book, its tier's, the standard book, the list price)
    /// on the order date: one resolution per customer and day for all the products its orders in the chunk name.
    /// </summary>
    private async Task PriceAsync(List<Plan> plans, Lookups lookups, CancellationToken ct)
    {
        foreach (var batch in plans.GroupBy(p => (p.CustomerId, p.OrderDate)))
        {
            var customer = lookups.CustomerById(batch.Key.CustomerId);
            var productIds = batch.SelectMany(p => p.Lines!.Select(l => l.Product.Id)).Distinct().ToList();
            var resolved = await prices.ResolveManyAsync(productIds, customer, batch.Key.OrderDate, ct);
            foreach (var plan in batch)
            {
                plan.Price(resolved);
            }
        }
    }

    /// <summary>
    /// The credit check of confirm for every order the chunk confirms, in file order: the customers' confirms are serialised
    /// with the API's (the same advisory locks, taken in one statement in key order), their open orders summed by one query,
    /// and each accepted order counts against the next one of its customer.
    /// </summary>
    private async Task CheckCreditAsync(List<Plan> confirms, Lookups lookups, string? overrideReason, DateTimeOffset now, CancellationToken ct)
    {
        var limited = confirms.Select(p => p.Order!.CustomerId).Distinct().Where(id => lookups.CustomerById(id)?.CreditLimit is not null).ToList();
        if (limited.Count > 0)
        {
            var keys = limited.Select(id => BitConverter.ToInt64(id.ToByteArray(), 8)).Order().ToArray();
            await db.Database.ExecuteSqlAsync($"SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest({keys}) AS k ORDER BY 1) s", ct);
        }

        var open = limited.Count == 0
            ? new Dictionary<Guid, decimal>()
            : await db.Orders.AsNoTracking().IgnoreAutoIncludes()
                .Where(o => limited.Contains(o.CustomerId) && (o.Status == OrderStatus.Confirmed || o.Status == OrderStatus.Shipped))
                .GroupBy(o => o.CustomerId).Select(g => new { g.Key, Total = g.Sum(o => o.Total) }).ToDictionaryAsync(g => g.Key, g => g.Total, ct);
        foreach (var plan in confirms.Where(p => !p.Group.Failed))
        {
            var order = plan.Order!;
            CreditOverride? granted = null;
            if (lookups.CustomerById(order.CustomerId) is { CreditLimit: { } limit } customer)
            {
                var figures = new CreditFigures(limit, customer.OutstandingBalance, open.GetValueOrDefault(order.CustomerId), order.Total);
                if (figures.Exceeded)
                {
                    if (overrideReason is not { } reason)
                    {
                        plan.Group.Reject(S.Status, CreditMessage(plan.Group.ExternalId, figures, order.Currency));
                        continue;
                    }

                    granted = new CreditOverride(actor.Id, now, reason);
                }

                open[order.CustomerId] = figures.OpenOrders + order.Total;
            }

            order.Apply(OrderAction.Confirm, null, granted, now);
        }
    }

    private static string CreditMessage(string externalId, CreditFigures figures, string currency) =>
        FormattableString.Invariant(
            $"Order '{externalId}' ({figures.OrderAmount:0.00} {currency}) exceeds the customer's available credit ({figures.Available:0.00} {currency}): ")
        + FormattableString.Invariant(
            $"credit limit {figures.CreditLimit:0.00}, outstanding balance {figures.OutstandingBalance:0.00}, open orders {figures.OpenOrders:0.00}. ")
        + "Import it as a draft, or a sales manager may import it with overrideCredit=true&overrideReason=....";

    /// <summary>
    /// Writes the chunk's orders and lines; returns the new orders that were not inserted because another transaction created
    /// their externalId at the same time (set-based: <c>ON CONFLICT DO NOTHING RETURNING</c>, their lines are left out).
    /// </summary>
    private async Task<HashSet<Guid>> WriteAsync(NpgsqlConnection connection, List<Plan> written, CancellationToken ct)
    {
        var orders = written.Select(p => p.Order!).ToList();
        await BulkStaging.CopyAsync(connection, "import_orders", OrdersTable, Columns, orders, ct);
        await BulkStaging.UpdateFromAsync(connection, "import_orders", OrdersTable, Columns, "t.status = 'Draft'", ct);
        var inserted = await BulkStaging.InsertNewSkippingConflictsAsync(connection, "import_orders", OrdersTable, Columns, ct);
        var lost = written.Where(p => p.Kind == PlanKind.Create && !inserted.Contains(p.Order!.Id)).Select(p => p.Order!.Id).ToHashSet();

        var relined = written.Where(p => p.Lines is not null && !lost.Contains(p.Order!.Id)).ToList();
        if (relined.Count == 0)
        {
            return lost;
        }

        var replaced = relined.Where(p => p.Kind == PlanKind.Update).Select(p => p.Order!.Id).ToArray();
        if (replaced.Length > 0)
        {
            await db.Database.ExecuteSqlAsync($"DELETE FROM sales.order_lines WHERE order_id = ANY({replaced})", ct);
        }

        await BulkStaging.CopyAsync(connection, "import_order_lines", LinesTable, LineColumnsStaged, relined.SelectMany(p => p.Order!.Lines), ct);
        await BulkStaging.InsertNewAsync(connection, "import_order_lines", LinesTable, LineColumnsStaged, ct);
        return lost;
    }

    /// <summary>The credit overrides of the chunk, audited with the reason and the orders (one entry per owner).</summary>
    private async Task AuditOverridesAsync(List<Order> overridden, CancellationToken ct)
    {
        foreach (var group in overridden.GroupBy(o => o.OwnerId))
        {
            db.AddAuditSummary<Order>(AuditAction.Updated, group.Count(), new Dictionary<string, object?>
            {
                ["creditOverride"] = group.First().CreditOverrideReason,
                ["orders"] = group.Select(o => o.Number).ToList(),
                ["ownerId"] = group.Key,
            }, group.Key);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Customers, owners, the caller and products the chunk names: a few set queries, before the transaction.</summary>
    private async Task<Lookups> LookupsAsync(List<OrderGroup> groups, AccessScope scope, CancellationToken ct)
    {
        var byCode = await SalesImportReferences.CustomersAsync(customers, groups.Select(g => g.Value(S.CustomerCode)), false, ct);
        var byExternalId = await SalesImportReferences.CustomersAsync(customers, groups.Select(g => g.Value(S.CustomerExternalId)), true, ct);
        var emails = groups.Select(g => g.Value(S.OwnerEmail)).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var owners = emails.Count == 0 ? new Dictionary<string, UserSummary>() : await users.FindByEmailsAsync(emails, ct);
        var caller = scope.UserId is { } me ? await users.FindByIdAsync(me, ct) : null;
        var skus = groups.SelectMany(g => g.Rows).Select(r => r.Sku).OfType<string>().Select(s => s.ToUpperInvariant()).Distinct().ToList();
        var products = skus.Count == 0
            ? new Dictionary<string, Product>(StringComparer.OrdinalIgnoreCase)
            : await db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)).ToDictionaryAsync(p => p.Sku, StringComparer.OrdinalIgnoreCase, ct);
        return new Lookups(byCode, byExternalId, owners, caller, products, QuoteRules.Today(time));
    }

    /// <summary>The orders the chunk's external ids name, locked for the chunk's transaction, with their lines (two queries).</summary>
    private async Task<Dictionary<string, Existing>> FindExistingAsync(List<OrderGroup> groups, CancellationToken ct)
    {
        var keys = groups.Where(g => !g.Failed).Select(g => g.ExternalId).Distinct(StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return new Dictionary<string, Existing>(StringComparer.Ordinal);
        }

        var orders = await db.Orders.FromSql($"SELECT *, xmin FROM sales.orders WHERE external_id = ANY({keys}) FOR UPDATE")
            .IgnoreAutoIncludes().AsNoTracking().ToListAsync(ct);
        var ids = orders.Select(o => o.Id).ToList();
        var lines = (await db.OrderLines.AsNoTracking().Where(l => ids.Contains(l.OrderId)).ToListAsync(ct)).ToLookup(l => l.OrderId);
        return orders.ToDictionary(o => o.ExternalId!, o => new Existing(o, lines[o.Id].OrderBy(l => l.Position).ToList()), StringComparer.Ordinal);
    }

    private static string Text(decimal value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(DateOnly value) => value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private enum PlanKind
    {
        Create,
        Update,
        Unchanged,
    }

    /// <summary>A recorded order with its lines in position order.</summary>
    private sealed record Existing(Order Order, List<OrderLine> Lines);

    /// <summary>The chunk's references by their natural keys.</summary>
    private sealed record Lookups(
        Dictionary<string, CustomerSnapshot> CustomersByCode,
        Dictionary<string, CustomerSnapshot> CustomersByExternalId,
        IReadOnlyDictionary<string, UserSummary> Owners,
        UserSummary? Caller,
        Dictionary<string, Product> Products,
        DateOnly Today)
    {
        public CustomerSnapshot? Customer(OrderGroup group) =>
            group.Value(S.CustomerCode) is { } code ? CustomersByCode.GetValueOrDefault(code)
            : group.Value(S.CustomerExternalId) is { } externalId ? CustomersByExternalId.GetValueOrDefault(externalId)
            : null;

        private readonly Dictionary<Guid, CustomerSnapshot> _byId = CustomersByCode.Values.Concat(CustomersByExternalId.Values).DistinctBy(c => c.Id).ToDictionary(c => c.Id);

        public CustomerSnapshot? CustomerById(Guid id) => _byId.GetValueOrDefault(id);

        /// <summary>The customers of matched orders that the file does not name (one query), for their prices and credit.</summary>
        public async Task AddCustomersAsync(ICustomerDirectory directory, IEnumerable<Guid> ids, CancellationToken ct)
        {
            var missing = ids.Where(id => !_byId.ContainsKey(id)).Distinct().ToList();
            if (missing.Count == 0)
            {
                return;
            }

            foreach (var (id, snapshot) in await directory.FindAsync(missing, ct))
            {
                _byId[id] = snapshot;
            }
        }
    }

    /// <summary>What the chunk does with one order: its checked terms, then the order built and priced.</summary>
    private sealed class Plan(
        OrderGroup group, PlanKind kind, Existing? current, CustomerSnapshot? customer, Guid? ownerId, string currency, DateOnly orderDate,
        List<(LineRow Row, Product Product)>? lines, bool confirm)
    {
        private List<OrderLine>? _priced;

        public OrderGroup Group => group;

        public PlanKind Kind => kind;

        public CustomerSnapshot? Customer => customer;

        public Guid CustomerId => customer?.Id ?? current!.Order.CustomerId;

        public DateOnly OrderDate => orderDate;

        /// <summary>The lines to price and write, or null when the recorded lines stay.</summary>
        public List<(LineRow Row, Product Product)>? Lines => lines;

        public bool Confirm => confirm;

        public Order? Order { get; private set; }

        /// <summary>Prices the lines as <c>QuoteRules.PriceLinesAsync</c> does for the API; a problem rejects the order's row.</summary>
        public void Price(IReadOnlyDictionary<Guid, PriceResolutionResponse> resolved)
        {
            var priced = new List<OrderLine>(lines!.Count);
            foreach (var (row, product) in lines)
            {
                var price = resolved[product.Id];
                if (!product.Active)
                {
                    row.Error(S.Sku, $"Product {product.Sku} is inactive and cannot be ordered.");
                }
                else if (!string.Equals(price.Currency, currency, StringComparison.Ordinal))
                {
                    row.Error(S.Currency, $"Product {product.Sku} is priced in {price.Currency} ({price.Source}); this order is in {currency}.");
                }
                else
                {
                    var line = QuoteLine.Create(product.Id, product.Sku, product.Name, product.Unit, null, row.Quantity!.Value, price.UnitPrice, price.Source,
                        price.PriceBookId, row.UnitPrice ?? price.UnitPrice, row.Discount ?? 0m, row.TaxRate ?? PricedLine.DefaultTaxRatePercent);
                    if (line.LineTotal > QuoteMath.MaxAmount || line.GrossAmount > QuoteMath.MaxAmount)
                    {
                        row.Error(S.Quantity, "The line amount is larger than an amount can be.");
                    }

                    priced.Add(OrderLine.From(line));
                }
            }

            if (priced.Sum(l => l.LineTotal) > QuoteMath.MaxAmount)
            {
                group.Reject(S.Quantity, "The order total is larger than an amount can be.");
            }

            _priced = priced;
        }

        /// <summary>The new order, or the recorded draft with the file's terms (not yet confirmed: the credit check decides).</summary>
        public void Build(string number, DateTimeOffset now)
        {
            if (group.Failed)
            {
                return;
            }

            if (current is null)
            {
                Order = Domain.Order.Create(number, customer!.Id, null, null, null, ownerId, group.ExternalId, currency, null, orderDate, _priced!, now);
                return;
            }

            var order = current.Order;
            order.Edit(order.CustomerId, order.OpportunityId, order.PartnerId, currency, order.Notes, now);
            if (_priced is not null)
            {
                order.ReplaceLines(_priced, orderDate, now);
            }

            Order = order;
        }
    }

    /// <summary>
    /// The rows of one order, in file order. Its order columns are taken from the first row that fills them; a later row
    /// with a different value is a row error. When any row fails, every row of the order is rejected.
    /// </summary>
    private sealed class OrderGroup
    {
        private readonly Dictionary<string, (string Value, int Row)> _values = new(StringComparer.Ordinal);

        private OrderGroup(string externalId) => ExternalId = externalId;

        public string ExternalId { get; }

        public List<LineRow> Rows { get; } = [];

        public bool Failed => Rows.Any(r => r.Failed);

        public bool NamesCustomer => Value(S.CustomerCode) is not null || Value(S.CustomerExternalId) is not null;

        public string CustomerColumn => Value(S.CustomerCode) is not null ? S.CustomerCode : S.CustomerExternalId;

        public string? Currency => Value(S.Currency)?.ToUpperInvariant();

        public DateOnly? OrderDate { get; private set; }

        public OrderStatus? Status { get; private set; }

        public string? Value(string field) => _values.TryGetValue(field, out var value) ? value.Value : null;

        /// <summary>
        /// Splits the chunk into orders by externalId, in the order of their first rows. The pipeline hands a chunk every row
        /// of its orders, in file order, wherever they are in the file (<see cref="GroupField"/>).
        /// </summary>
        public static List<OrderGroup> From(IEnumerable<LineRow> rows)
        {
            var groups = new List<OrderGroup>();
            var byKey = new Dictionary<string, OrderGroup>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                if (row.ExternalId is not { } key)
                {
                    row.Error(S.ExternalId, "externalId is required on every row: the rows of one order share it.");
                    continue;
                }

                if (!byKey.TryGetValue(key, out var group))
                {
                    group = new OrderGroup(key);
                    byKey.Add(key, group);
                    groups.Add(group);
                }

                group.Add(row);
            }

            return groups;
        }

        public Plan? Reject(string? column, string message)
        {
            Rows[0].Error(column, message);
            return null;
        }

        /// <summary>When the order failed, the rows without an error of their own are rejected with it.</summary>
        public void RejectRest()
        {
            if (!Failed)
            {
                return;
            }

            var first = Rows.First(r => r.Failed).Number;
            foreach (var row in Rows.Where(r => !r.Failed))
            {
                row.Error(null, $"Order '{ExternalId}' is rejected as a whole: see row {first}.");
            }
        }

        private void Add(LineRow row)
        {
            Rows.Add(row);
            foreach (var field in S.OrderFields)
            {
                if (row.Text(field) is not { } value)
                {
                    continue;
                }

                if (!_values.TryGetValue(field, out var first))
                {
                    _values[field] = (value, row.Number);
                }
                else if (!string.Equals(first.Value, value, StringComparison.OrdinalIgnoreCase))
                {
                    row.Error(field, $"{field} is '{value}' here but '{first.Value}' on row {first.Row}: the rows of one order must agree (or leave it blank after the first).");
                }
            }

            OrderDate ??= row.OrderDate;
            Status ??= row.Status;
        }
    }

    /// <summary>One data row: an order line, with the order columns as written; one error per bad cell.</summary>
    private sealed class LineRow
    {
        private readonly ImportRow _row;
        private readonly ImportValues _values;

        public LineRow(ImportRow row, List<ImportRowError> errors)
        {
            _row = row;
            _values = new ImportValues(row, errors);
            ExternalId = Text(S.ExternalId);
            Sku = Text(S.Sku);
            Quantity = _values.Decimal(S.Quantity);
            UnitPrice = _values.Decimal(S.UnitPrice);
            Discount = _values.Decimal(S.Discount);
            TaxRate = _values.Decimal(S.TaxRate);
            OrderDate = _values.Date(S.OrderDate);
            Status = _values.Enum(S.Status, StatusAliases);
            if (Text(S.Currency) is { } currency && !(currency.Length == 3 && currency.All(char.IsAsciiLetter)))
            {
                Error(S.Currency, "currency must be an ISO 4217 code such as CNY.");
            }
        }

        public int Number => _row.Row;

        public string? ExternalId { get; }

        public string? Sku { get; }

        public decimal? Quantity { get; }

        public decimal? UnitPrice { get; }

        public decimal? Discount { get; }

        public decimal? TaxRate { get; }

        public DateOnly? OrderDate { get; }

        public OrderStatus? Status { get; }

        public bool Failed => _values.Failed;

        public void Error(string? column, string message) => _values.Error(column, message);

        /// <summary>The trimmed cell, or null when absent or blank; dates and statuses compare in their normal form.</summary>
        public string? Text(string field) => field switch
        {
            S.OrderDate when OrderDate is { } date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            S.Status when Status is { } status => status.ToString(),
            _ => _row[field]?.Trim() is { Length: > 0 } text ? text : null,
        };
    }
}
