using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Modules.Identity.Data;

internal sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "identity";

    public DbSet<User> Users => Set<User>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.NormalizedEmail).HasMaxLength(254);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.Property(u => u.Name).HasMaxLength(100);
            user.Property(u => u.Phone).HasMaxLength(30);
            user.Property(u => u.PasswordHash).HasMaxLength(200);
            user.Property(u => u.SecurityStamp).HasMaxLength(32);
            user.Property(u => u.Version).IsRowVersion();
            user.HasIndex(u => u.TeamId);
            user.HasIndex(u => new { u.Name, u.Id });
        });

        modelBuilder.Entity<Team>(team =>
        {
            team.ToTable("teams");
            team.HasKey(t => t.Id);
            team.Property(t => t.Name).HasMaxLength(100);
            team.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
            team.Property(t => t.Version).IsRowVersion();
            team.HasIndex(t => t.ParentId);
            team.HasIndex(t => new { t.Name, t.Id });
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.UserId);
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Name).HasMaxLength(100);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.HasIndex(k => k.Prefix).IsUnique();
            key.Property(k => k.SecretHash).HasMaxLength(64);
            key.Property(k => k.Version).IsRowVersion();
        });
    }
}

internal sealed class IdentityDbContextDesignTimeFactory : IDesignTimeDbContextFactory<IdentityDbContext>
{
    public IdentityDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<IdentityDbContext>(IdentityDbContext.SchemaName));
}
