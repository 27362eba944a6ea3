// `figment::Jail` closures return figment's own (large) error type.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;

#[test]
fn flags_beat_environment_beat_file_beat_defaults() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "altgate.toml",
            "listen = \"127.0.0.1:7001\"\ndata_dir = \"/from/file\"\nlog_level = \"debug\"\n",
        )?;
        jail.set_env("ALTGATE_DATA_DIR", "/from/env");
        jail.set_env("ALTGATE_LISTEN", "127.0.0.1:7002");
        let overrides = Overrides { listen: Some("127.0.0.1:7003".parse().unwrap()), ..Overrides::default() };
        let config = Config::load(Some(Path::new("altgate.toml")), &overrides).unwrap();
        assert_eq!(config.listen.port(), 7003, "flag wins");
        assert_eq!(config.data_dir, PathBuf::from("/from/env"), "env beats file");
        assert_eq!(config.log_level, "debug", "file beats default");
        assert_eq!(config.max_body_bytes, Config::default().max_body_bytes);
        Ok(())
    });
}

#[test]
fn errors_name_the_bad_key_and_its_source() {
    Jail::expect_with(|jail| {
        jail.set_env("ALTGATE_LISTEN", "not-an-address");
        let err = Config::load(None, &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("key `listen`"), "{err}");
        assert!(err.contains("ALTGATE_LISTEN"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("altgate.toml", "lissten = \"127.0.0.1:1\"\n")?;
        let err = Config::load(Some(Path::new("altgate.toml")), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("lissten"), "{err}");
        assert!(err.contains("altgate.toml"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("altgate.toml", "log_format = \"xml\"\n")?;
        let err = Config::load(Some(Path::new("altgate.toml")), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("key `log_format`"), "{err}");
        Ok(())
    });
}

#[test]
fn foreign_altgate_variables_are_ignored_and_missing_files_reported() {
    Jail::expect_with(|jail| {
        jail.set_env("ALTGATE_REQUIRE_SHARED", "1");
        assert!(Config::load(None, &Overrides::default()).is_ok());
        let err = Config::load(Some(Path::new("nope.toml")), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("nope.toml"));
        Ok(())
    });
}

#[test]
fn ranges_are_checked_and_named() {
    Jail::expect_with(|jail| {
        jail.set_env("ALTGATE_SIGNING__WINDOW_SECS", "300");
        let err = Config::load(None, &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("signing.window_secs"), "{err}");
        Ok(())
    });
}

#[test]
fn nested_settings_come_from_the_environment_with_double_underscores() {
    Jail::expect_with(|jail| {
        jail.set_env("ALTGATE_PLANS__FREE__RATE_PER_MINUTE", "7");
        jail.set_env("ALTGATE_SIGNUP__ENABLED", "false");
        let config = Config::load(None, &Overrides::default()).unwrap();
        assert_eq!(config.plans.free.rate_per_minute, 7);
        assert_eq!(config.plans.free.monthly_quota, Plans::default().free.monthly_quota);
        assert!(!config.signup.enabled);
        assert_eq!(config.keyring_path(), config.data_dir.join("keyring.toml"));
        Ok(())
    });
}
