//! `--shard I/N` and `--shard slurm`: which shard of a dataset run this process counts. Under
//! Slurm, an array job's task reads its shard from `SLURM_ARRAY_TASK_ID` and
//! `SLURM_ARRAY_TASK_COUNT`, less `SLURM_ARRAY_TASK_MIN` when set (`--array=1-8` is shards 0 to 7).
use anyhow::{bail, Context, Result};

/// `(index, count)` from `spec`, `env` reading the environment for `slurm`.
pub fn parse(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize)> {
    let (index, count) = if spec == "slurm" {
        let var = |name: &str| -> Result<usize> {
            let value =
                env(name).with_context(|| format!("--shard slurm: {name} is not set (is this a Slurm array task?)"))?;
            value.trim().parse().with_context(|| format!("--shard slurm: {name}={value} is not a whole number"))
        };
        let (id, count) = (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_COUNT")?);
        let min = if env("SLURM_ARRAY_TASK_MIN").is_some() { var("SLURM_ARRAY_TASK_MIN")? } else { 0 };
        let Some(index) = id.checked_sub(min) else {
            bail!("--shard slurm: SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
        };
        if index >= count {
            bail!(
                "--shard slurm: task {id} (shard {index}) is out of range for SLURM_ARRAY_TASK_COUNT={count} \
                 (an array with a step, `--array=0-15:2`, is not a contiguous split: use `--array=0-N`)"
            );
        }
        (index, count)
    } else {
        let parsed = spec.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        let Some((index, count)) = parsed else {
            bail!("--shard {spec}: expected I/N (shard I of N, from 0) or slurm")
        };
        (index, count)
    };
    if count == 0 || index >= count {
        bail!("--shard {spec}: shard {index} of {count} is out of range: expected 0 <= I < N");
    }
    Ok((index, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slurm(vars: &[(&str, &str)]) -> Result<(usize, usize)> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse("slurm", &|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn index_over_count() {
        let none = |_: &str| -> Option<String> { None };
        assert_eq!(parse("2/7", &none).unwrap(), (2, 7));
        for bad in ["7/7", "1/0", "x/2", "3"] {
            assert!(parse(bad, &none).is_err(), "{bad}");
        }
        assert!(parse("slurm", &none).unwrap_err().to_string().contains("SLURM_ARRAY_TASK_ID is not set"));
    }

    #[test]
    fn slurm_array_tasks() {
        let id_count = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")];
        assert_eq!(slurm(&id_count).unwrap(), (3, 4));
        let from_one = [("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")];
        assert_eq!(slurm(&from_one).unwrap(), (3, 4));
        let err = slurm(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4")]).unwrap_err().to_string();
        assert!(err.contains("out of range"), "{err}");
        let err = slurm(&[("SLURM_ARRAY_TASK_ID", "1")]).unwrap_err().to_string();
        assert!(err.contains("SLURM_ARRAY_TASK_COUNT is not set"), "{err}");
        let err =
            slurm(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "2"), ("SLURM_ARRAY_TASK_MIN", "1")])
                .unwrap_err()
                .to_string();
        assert!(err.contains("below SLURM_ARRAY_TASK_MIN"), "{err}");
    }
}
