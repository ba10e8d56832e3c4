using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of price books and their entries (products are mapped with the skeleton).</summary>
internal static class QuotesModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PriceBook>(book =>
        {
            book.ToTable("price_books", t =>
            {
                t.HasCheckConstraint("ck_price_books_validity", "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to");
                t.HasCheckConstraint(
                    "ck_price_books_kind_target",
                    "(kind = 'Standard' AND tier IS NULL AND customer_id IS NULL) OR (kind = 'Tier' AND tier IS NOT NULL AND customer_id IS NULL) "
                    + "OR (kind = 'Customer' AND customer_id IS NOT NULL AND tier IS NULL)");
            });
            book.HasKey(b => b.Id);
            book.Property(b => b.Name).HasMaxLength(PriceBook.MaxNameLength);
            book.HasIndex(b => b.Name).IsUnique();
            book.Property(b => b.Kind).HasConversion<string>().HasMaxLength(10);
            book.Property(b => b.Tier).HasMaxLength(PriceBook.MaxTierLength);
            book.Property(b => b.Version).IsRowVersion();

            // There is one standard book; tier and customer books are found by their target during price resolution.
            book.HasIndex(b => b.Kind).IsUnique().HasFilter("kind = 'Standard'").HasDatabaseName("ix_price_books_single_standard");
            book.HasIndex(b => b.CustomerId).HasFilter("customer_id IS NOT NULL");
            book.HasIndex(b => b.Tier).HasFilter("tier IS NOT NULL");
        });

        modelBuilder.Entity<PriceBookEntry>(entry =>
        {
            entry.ToTable("price_book_entries", t => t.HasCheckConstraint("ck_price_book_entries_unit_price", "unit_price >= 0"));
            entry.HasKey(e => e.Id);
            entry.HasOne<PriceBook>().WithMany().HasForeignKey(e => e.PriceBookId).OnDelete(DeleteBehavior.Cascade);
            entry.HasOne<Product>().WithMany().HasForeignKey(e => e.ProductId).OnDelete(DeleteBehavior.Restrict);
            entry.Property(e => e.UnitPrice).HasPrecision(18, 2);
            entry.Property(e => e.Currency).HasMaxLength(3);
            entry.Property(e => e.Version).IsRowVersion();

            // One price per product and book; the index also serves the entries page of a book (keyset on product id).
            entry.HasIndex(e => new { e.PriceBookId, e.ProductId }).IsUnique();

            // Price resolution starts from the product.
            entry.HasIndex(e => e.ProductId);
        });
    }
}
