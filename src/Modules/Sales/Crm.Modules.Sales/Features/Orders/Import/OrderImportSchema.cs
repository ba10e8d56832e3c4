using Crm.Modules.Integration.Contracts;

namespace Crm.Modules.Sales.Features.Orders.Import;

/// <summary>
/// The columns of <c>POST /api/v1/imports/orders</c>: one row per order line; the rows with the same <c>externalId</c>,
/// wherever they are in the file, are one order, whose order columns are repeated or left blank after its first row.
/// API field names, the Chinese headers of ERP and Excel exports, and the one match key, the order's external id.
/// </summary>
internal static class OrderImportSchema
{
    public const string ExternalId = "externalId";
    public const string CustomerCode = "customerCode";
    public const string CustomerExternalId = "customerExternalId";
    public const string OwnerEmail = "ownerEmail";
    public const string Currency = "currency";
    public const string OrderDate = "orderDate";
    public const string Status = "status";
    public const string Sku = "sku";
    public const string Quantity = "quantity";
    public const string UnitPrice = "unitPrice";
    public const string Discount = "discount";
    public const string TaxRate = "taxRate";

    /// <summary>The columns every row of one order must agree on (or leave blank).</summary>
    public static readonly string[] OrderFields = [CustomerCode, CustomerExternalId, OwnerEmail, Currency, OrderDate, Status];

    /// <summary>The columns of a line, in the order an export writes them.</summary>
    public static readonly string[] LineFields = [Sku, Quantity, UnitPrice, Discount, TaxRate];

    public static ImportSchema Schema { get; } = new(
        [ExternalId, .. OrderFields, .. LineFields],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["订单编号"] = ExternalId, ["外部编号"] = ExternalId, ["ERP编号"] = ExternalId, ["订单号"] = ExternalId,
            ["客户编号"] = CustomerCode, ["客户编码"] = CustomerCode, ["customer"] = CustomerCode,
            ["客户外部编号"] = CustomerExternalId,
            ["负责人"] = OwnerEmail, ["负责人邮箱"] = OwnerEmail, ["owner"] = OwnerEmail,
            ["币种"] = Currency,
            ["下单日期"] = OrderDate, ["订单日期"] = OrderDate,
            ["状态"] = Status, ["订单状态"] = Status,
            ["产品编号"] = Sku, ["产品编码"] = Sku, ["SKU编号"] = Sku,
            ["数量"] = Quantity,
            ["单价"] = UnitPrice,
            ["折扣"] = Discount, ["折扣率"] = Discount, ["discountPercent"] = Discount,
            ["税率"] = TaxRate, ["taxRatePercent"] = TaxRate,
        },
        ["id", "number", "position", "productName", "lineTotal", "total"],
        [ExternalId],
        []);
}
