using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of price books and their entries, quotes, their lines and discount approvals (products are mapped with the skeleton).</summary>
internal static class QuotesModel
{
    public const string QuoteNumberSequence = "quote_number_seq";

    public static void Configure(ModelBuilder modelBuilder)
    {
        ConfigureQuotes(modelBuilder);
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

    private static void ConfigureQuotes(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(QuoteNumberSequence);
        modelBuilder.Entity<Quote>(quote =>
        {
            quote.ToTable("quotes", t =>
            {
                t.HasCheckConstraint("ck_quotes_revision", "revision >= 1");
                t.HasCheckConstraint("ck_quotes_total", "total >= 0");
            });
            quote.HasKey(q => q.Id);
            quote.Property(q => q.Number).HasMaxLength(20);
            quote.Property(q => q.Title).HasMaxLength(Quote.MaxTitleLength);
            quote.Property(q => q.Currency).HasMaxLength(3);
            quote.Property(q => q.Status).HasConversion<string>().HasMaxLength(16);
            quote.Property(q => q.Notes).HasMaxLength(Quote.MaxNotesLength);
            quote.Property(q => q.RejectionReason).HasMaxLength(Quote.MaxReasonLength);
            quote.Property(q => q.Subtotal).HasPrecision(18, 2);
            quote.Property(q => q.DiscountTotal).HasPrecision(18, 2);
            quote.Property(q => q.TaxTotal).HasPrecision(18, 2);
            quote.Property(q => q.Total).HasPrecision(18, 2);
            quote.Property(q => q.MaxDiscountPercent).HasPrecision(5, 2);
            quote.Property(q => q.ApprovalThresholdPercent).HasPrecision(5, 2);
            quote.Property(q => q.Version).IsRowVersion();
            quote.Ignore(q => q.IsEditable);
            quote.Ignore(q => q.CanBeRevised);
            quote.Ignore(q => q.DisplayNumber);
            quote.Ignore(q => q.RequiresApproval);
            quote.HasMany(q => q.Lines).WithOne().HasForeignKey(l => l.QuoteId).OnDelete(DeleteBehavior.Cascade);
            quote.Navigation(q => q.Lines).AutoInclude();
            quote.HasOne<Opportunity>().WithMany().HasForeignKey(q => q.OpportunityId).OnDelete(DeleteBehavior.Restrict);

            // Revisions: one row per (number, revision), and at most one successor per revision (two concurrent revises: 409).
            // SupersededById has no foreign key: the successor's revision_of_id is the reference, which keeps inserts acyclic.
            quote.HasIndex(q => new { q.Number, q.Revision }).IsUnique();
            quote.HasOne<Quote>().WithMany().HasForeignKey(q => q.RevisionOfId).OnDelete(DeleteBehavior.Restrict);
            quote.HasIndex(q => q.RevisionOfId).IsUnique().HasFilter("revision_of_id IS NOT NULL");

            // Lists newest first by owner and by customer; an opportunity's quotes.
            quote.HasIndex(q => new { q.OwnerId, q.CreatedAt, q.Id });
            quote.HasIndex(q => new { q.CustomerId, q.CreatedAt, q.Id });
            quote.HasIndex(q => q.OpportunityId);
        });

        modelBuilder.Entity<QuoteLine>(line =>
        {
            PricedLineModel.Configure(line, "quote_lines");
            line.HasIndex(l => new { l.QuoteId, l.Position }).IsUnique();
            line.Property(l => l.EffectiveDiscountPercent).HasPrecision(5, 2);
        });

        modelBuilder.Entity<QuoteApproval>(approval =>
        {
            approval.ToTable("quote_approvals");
            approval.HasKey(a => a.Id);
            approval.HasOne<Quote>().WithMany().HasForeignKey(a => a.QuoteId).OnDelete(DeleteBehavior.Cascade);
            approval.Property(a => a.QuoteNumber).HasMaxLength(20);
            approval.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
            approval.Property(a => a.MaxDiscountPercent).HasPrecision(5, 2);
            approval.Property(a => a.ThresholdPercent).HasPrecision(5, 2);
            approval.Property(a => a.QuoteTotal).HasPrecision(18, 2);
            approval.Property(a => a.Currency).HasMaxLength(3);
            approval.Property(a => a.Comment).HasMaxLength(QuoteApproval.MaxCommentLength);
            approval.Property(a => a.Version).IsRowVersion();

            // A quote's history; at most one pending request per quote; the managers' queue by status, oldest first.
            approval.HasIndex(a => new { a.QuoteId, a.RequestedAt });
            approval.HasIndex(a => a.QuoteId).IsUnique().HasFilter("status = 'Pending'").HasDatabaseName("ix_quote_approvals_one_pending");
            approval.HasIndex(a => new { a.Status, a.RequestedAt, a.Id });
        });

        modelBuilder.Entity<QuoteSettings>(settings =>
        {
            settings.ToTable("quote_settings", t => t.HasCheckConstraint("ck_quote_settings_threshold", "discount_approval_threshold_percent BETWEEN 0 AND 100"));
            settings.HasKey(s => s.Id);
            settings.Property(s => s.DiscountApprovalThresholdPercent).HasPrecision(5, 2);
            settings.Property(s => s.Version).IsRowVersion();
        });
    }
}
