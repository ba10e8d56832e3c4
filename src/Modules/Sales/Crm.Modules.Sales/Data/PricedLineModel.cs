using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Modules.Sales.Data;

/// <summary>The mapping of the columns every <see cref="PricedLine"/> table has (quote_lines, order_lines): one place for their types and checks.</summary>
internal static class PricedLineModel
{
    public static void Configure<TLine>(EntityTypeBuilder<TLine> line, string table)
        where TLine : PricedLine
    {
        line.ToTable(table, t =>
        {
            t.HasCheckConstraint($"ck_{table}_quantity", "quantity > 0");
            t.HasCheckConstraint($"ck_{table}_discount", "discount_percent BETWEEN 0 AND 100");
            t.HasCheckConstraint($"ck_{table}_tax", "tax_rate_percent BETWEEN 0 AND 100");
        });
        line.HasKey(l => l.Id);
        line.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId).OnDelete(DeleteBehavior.Restrict);
        line.HasIndex(l => l.ProductId);
        line.Property(l => l.Sku).HasMaxLength(Product.MaxSkuLength);
        line.Property(l => l.ProductName).HasMaxLength(Product.MaxNameLength);
        line.Property(l => l.Unit).HasMaxLength(Product.MaxUnitLength);
        line.Property(l => l.Description).HasMaxLength(PricedLine.MaxDescriptionLength);
        line.Property(l => l.Quantity).HasPrecision(18, 3);
        line.Property(l => l.ReferenceUnitPrice).HasPrecision(18, 2);
        line.Property(l => l.PriceSource).HasConversion<string>().HasMaxLength(16);
        line.Property(l => l.UnitPrice).HasPrecision(18, 2);
        line.Property(l => l.DiscountPercent).HasPrecision(5, 2);
        line.Property(l => l.TaxRatePercent).HasPrecision(5, 2);
        line.Property(l => l.GrossAmount).HasPrecision(18, 2);
        line.Property(l => l.DiscountAmount).HasPrecision(18, 2);
        line.Property(l => l.NetAmount).HasPrecision(18, 2);
        line.Property(l => l.TaxAmount).HasPrecision(18, 2);
        line.Property(l => l.LineTotal).HasPrecision(18, 2);
        line.Ignore(l => l.Amounts);
    }
}
