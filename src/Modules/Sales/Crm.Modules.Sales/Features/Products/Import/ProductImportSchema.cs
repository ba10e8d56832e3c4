using Crm.Modules.Integration.Contracts;

namespace Crm.Modules.Sales.Features.Products.Import;

/// <summary>
/// The product columns of <c>POST /api/v1/imports/products</c>: API field names, the Chinese headers of ERP and Excel
/// product lists, and the one match key, the SKU.
/// </summary>
internal static class ProductImportSchema
{
    public const string Sku = "sku";
    public const string Name = "name";
    public const string Unit = "unit";
    public const string Category = "category";
    public const string Description = "description";
    public const string ListPrice = "listPrice";
    public const string Currency = "currency";
    public const string Active = "active";

    public static ImportSchema Schema { get; } = new(
        [Sku, Name, Unit, Category, Description, ListPrice, Currency, Active],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["产品编号"] = Sku, ["产品编码"] = Sku, ["物料编码"] = Sku, ["物料编号"] = Sku, ["货号"] = Sku,
            ["产品名称"] = Name, ["名称"] = Name, ["品名"] = Name,
            ["单位"] = Unit, ["计量单位"] = Unit,
            ["产品类别"] = Category, ["类别"] = Category, ["产品分类"] = Category, ["分类"] = Category,
            ["描述"] = Description, ["产品描述"] = Description, ["说明"] = Description, ["规格说明"] = Description,
            ["标准价"] = ListPrice, ["标准价格"] = ListPrice, ["目录价"] = ListPrice, ["单价"] = ListPrice, ["价格"] = ListPrice,
            ["币种"] = Currency, ["货币"] = Currency,
            ["是否启用"] = Active, ["启用"] = Active, ["是否在售"] = Active,
        },
        ["id", "createdAt", "updatedAt"],
        [Sku],
        []);
}
