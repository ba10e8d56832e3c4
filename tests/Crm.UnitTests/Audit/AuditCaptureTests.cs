using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;

namespace Crm.UnitTests.Audit;

/// <summary>What the interceptor records for each kind of tracked change (the model is built, no database is contacted).</summary>
internal sealed class AuditCaptureTests
{
    [AuditEntityType("account")]
    internal sealed class Account : IAuditable, IOwnedRecord
    {
        public Guid Id { get; set; } = Guid.CreateVersion7();

        public string Name { get; set; } = "华为技术";

        public string? Phone { get; set; }

        [AuditRedacted]
        public string PasswordHash { get; set; } = "hash-1";

        public Guid? OwnerId { get; set; }

        public Address Address { get; set; } = new() { City = "深圳" };

        public uint Version { get; set; }
    }

    internal sealed class Address
    {
        public string City { get; set; } = string.Empty;

        public string? Street { get; set; }
    }

    internal sealed class Contact
    {
        public Guid Id { get; set; }
    }

    private sealed class TestContext(DbContextOptions<TestContext> options) : ModuleDbContext(options, "test")
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            base.OnModelCreating(modelBuilder);
            modelBuilder.Entity<Account>(account =>
            {
                account.ComplexProperty(a => a.Address);
                account.Property(a => a.Version).IsRowVersion();
            });
        }
    }

    private static TestContext NewContext() => new(DesignTimeContextOptions.For<TestContext>("test"));

    private static IReadOnlyDictionary<string, AuditFieldChange> ChangesOf(AuditEntry entry) => AuditChanges.Parse(entry.Changes);

    private static object?[] Sides(AuditFieldChange change) => [change.Old?.ToString(), change.New?.ToString()];

    [Test]
    public void A_created_record_has_its_non_null_values_as_new_values_with_secrets_masked()
    {
        using var db = NewContext();
        var ownerId = Guid.CreateVersion7();
        var account = new Account { OwnerId = ownerId };
        db.Add(account);

        var entry = AuditCapture.Capture(db.Entry(account))!;

        var changes = ChangesOf(entry);
        Assert.Multiple(() =>
        {
            Assert.That(entry.Action, Is.EqualTo(AuditAction.Created));
            Assert.That(entry.EntityType, Is.EqualTo("account"));
            Assert.That(entry.EntityId, Is.EqualTo(account.Id));
            Assert.That(entry.OwnerId, Is.EqualTo(ownerId));
            Assert.That(changes.Keys, Is.EquivalentTo(new[] { "name", "passwordHash", "ownerId", "address.city" }), "no key, row version or nulls");
            Assert.That(Sides(changes["passwordHash"]), Is.EqualTo(new object?[] { null, AuditChanges.Redacted }));
            Assert.That(Sides(changes["address.city"]), Is.EqualTo(new object?[] { null, "深圳" }));
        });
    }

    [Test]
    public void An_updated_record_has_only_the_changed_fields_with_old_and_new_values()
    {
        using var db = NewContext();
        var account = new Account();
        db.Attach(account);
        account.Name = "华为终端";
        account.PasswordHash = "hash-2";
        account.Address.Street = "坂田";
        db.ChangeTracker.DetectChanges();

        var changes = ChangesOf(AuditCapture.Capture(db.Entry(account))!);

        Assert.Multiple(() =>
        {
            Assert.That(changes.Keys, Is.EquivalentTo(new[] { "name", "passwordHash", "address.street" }));
            Assert.That(Sides(changes["name"]), Is.EqualTo(new object?[] { "华为技术", "华为终端" }));
            Assert.That(Sides(changes["passwordHash"]), Is.EqualTo(new object?[] { AuditChanges.Redacted, AuditChanges.Redacted }));
            Assert.That(changes["address.street"].Old?.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), "present, and null");
            Assert.That(changes["address.street"].New?.GetString(), Is.EqualTo("坂田"));
        });
    }

    [Test]
    public void Setting_the_values_a_record_already_has_records_nothing()
    {
        using var db = NewContext();
        var account = new Account();
        db.Attach(account);
        account.Name = "华为技术";
        db.ChangeTracker.DetectChanges();

        Assert.That(AuditCapture.Capture(db.Entry(account)), Is.Null);
    }

    [Test]
    public void An_update_of_a_detached_record_records_the_written_values_without_guessing_old_ones()
    {
        using var db = NewContext();
        var account = new Account { Phone = "13800000000" };
        db.Update(account);

        var changes = ChangesOf(AuditCapture.Capture(db.Entry(account))!);

        Assert.That(changes["phone"].Old, Is.Null);
        Assert.That(Sides(changes["phone"]), Is.EqualTo(new object?[] { null, "13800000000" }));
    }

    [Test]
    public void A_deleted_record_has_its_values_as_old_values()
    {
        using var db = NewContext();
        var account = new Account();
        db.Attach(account);
        db.Remove(account);

        var entry = AuditCapture.Capture(db.Entry(account))!;

        Assert.That(entry.Action, Is.EqualTo(AuditAction.Deleted));
        Assert.That(ChangesOf(entry).Values.Select(c => c.New), Is.All.Null);
        Assert.That(Sides(ChangesOf(entry)["name"]), Is.EqualTo(new object?[] { "华为技术", null }));
    }

    [Test]
    public void Entities_that_are_not_auditable_are_not_recorded()
    {
        using var db = new ContactContext(DesignTimeContextOptions.For<ContactContext>("test"));
        var contact = new Contact { Id = Guid.CreateVersion7() };
        db.Add(contact);

        Assert.That(AuditCapture.Capture(db.Entry(contact)), Is.Null);
    }

    [Test]
    public void An_auditable_entity_without_its_entity_type_name_fails_when_the_model_is_built()
    {
        using var db = new UnnamedContext(DesignTimeContextOptions.For<UnnamedContext>("test"));

        var error = Assert.Throws<InvalidOperationException>(() => _ = db.Model)!;

        Assert.That(error.Message, Does.Contain(nameof(Unnamed)).And.Contain("AuditEntityType"));
    }

    [Test]
    public void An_auditable_entity_with_an_owned_entity_fails_when_the_model_is_built()
    {
        using var db = new OwnedContext(DesignTimeContextOptions.For<OwnedContext>("test"));

        var error = Assert.Throws<InvalidOperationException>(() => _ = db.Model)!;

        Assert.That(error.Message, Does.Contain("owned entity").And.Contain("complex property"));
    }

    internal sealed class Unnamed : IAuditable
    {
        public Guid Id { get; set; }
    }

    [AuditEntityType("withOwned")]
    internal sealed class WithOwned : IAuditable
    {
        public Guid Id { get; set; }

        public Address Address { get; set; } = new();
    }

    private sealed class ContactContext(DbContextOptions<ContactContext> options) : ModuleDbContext(options, "test")
    {
        public DbSet<Contact> Contacts => Set<Contact>();
    }

    private sealed class UnnamedContext(DbContextOptions<UnnamedContext> options) : ModuleDbContext(options, "test")
    {
        public DbSet<Unnamed> Unnamed => Set<Unnamed>();
    }

    private sealed class OwnedContext(DbContextOptions<OwnedContext> options) : ModuleDbContext(options, "test")
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            base.OnModelCreating(modelBuilder);
            modelBuilder.Entity<WithOwned>().OwnsOne(w => w.Address);
        }
    }
}
